package io.promroute.router;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link UpstreamClient} in front of another that finds out, in seconds rather than at a
 * request's deadline, that a shard with one URL has stopped answering altogether (a stopped
 * process, a host gone from the network): the requests that wait for it then fail at once, so that
 * a fan-out answers the other shards' data (with a warning) instead of waiting for the deadline
 * with them.
 *
 * <p>A request that has no response headers after the probe time has the shard's {@code /-/ready}
 * asked, with the probe time as its timeout. A slow query says nothing of the server: Prometheus
 * answers {@code /-/ready} at once however busy its queries are. Only when the probe gets no answer
 * either is the shard <em>silent</em>: every request that waits for its headers fails with {@link
 * SilentShardException}, and so does every new one without being sent, until a probe (sent every
 * probe time while it is silent) gets an answer. An answer whose body streams and gets no byte for
 * the probe time has the shard probed the same way, and a silent shard's streaming answers fail
 * their reads at once. A refused connection, a 503 while it starts and any other answer fail or
 * answer fast on their own, so they never make a shard silent. Shards with replicas are {@link
 * ReplicaClient}'s, which asks the next replica instead; their requests, and requests it does not
 * recognize, go to the client below unchanged.
 */
final class SilentShards implements UpstreamClient, AutoCloseable {

  private static final System.Logger LOG = System.getLogger(SilentShards.class.getName());

  private final UpstreamClient delegate;
  private final Duration probeTime;
  private final Map<String, Shard> shards;
  private final ScheduledThreadPoolExecutor timer;

  /**
   * {@code delegate} itself when {@code probeTime} is zero or every shard has replicas, else a
   * client that watches the shards with one URL.
   */
  static UpstreamClient wrap(
      UpstreamClient delegate, Map<String, ShardTarget> targets, Duration probeTime) {
    return probeTime.isZero()
            || targets.values().stream().allMatch(target -> target.baseUrls().size() > 1)
        ? delegate
        : new SilentShards(delegate, targets, probeTime);
  }

  private SilentShards(
      UpstreamClient delegate, Map<String, ShardTarget> targets, Duration probeTime) {
    this.delegate = requireNonNull(delegate, "delegate is null");
    this.probeTime = probeTime;
    Map<String, Shard> single = new LinkedHashMap<>();
    targets.forEach(
        (key, target) -> {
          if (target.baseUrls().size() == 1) {
            single.put(key, new Shard(key, target));
          }
        });
    this.shards = Map.copyOf(single);
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "promroute-silent-shards");
              thread.setDaemon(true);
              return thread;
            });
    timer.setRemoveOnCancelPolicy(true); // most probe timers are cancelled: do not keep them
  }

  /** The client below, for its owner to stop. */
  UpstreamClient delegate() {
    return delegate;
  }

  @Override
  public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
    Shard shard = shards.get(request.shard());
    if (shard == null || !shard.target.baseUrls().equals(request.target().baseUrls())) {
      return delegate.send(request);
    }
    String silence = shard.silence;
    if (silence != null) {
      return CompletableFuture.failedFuture(new SilentShardException(shard.key, silence));
    }
    CompletableFuture<UpstreamResponse> sent;
    try {
      sent = delegate.send(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (sent.isDone()) {
      return sent;
    }
    Waiting waiting = new Waiting(sent);
    shard.waiting.add(waiting);
    java.util.concurrent.Future<?> check;
    try {
      check = timer.schedule(shard::probe, probeTime.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      check = CompletableFuture.completedFuture(null); // the client is closed: nothing to watch
    }
    java.util.concurrent.Future<?> probeTimer = check;
    sent.whenComplete(
        (response, failure) -> {
          probeTimer.cancel(false);
          shard.waiting.remove(waiting);
          if (failure != null) {
            waiting.completeExceptionally(failure);
            return;
          }
          // A body already in memory cannot stall; one that streams is watched until it ends.
          UpstreamResponse delivered =
              response.body() instanceof java.io.ByteArrayInputStream
                  ? response
                  : shard.watch(response);
          if (!waiting.complete(delivered)) {
            delivered.close(); // the caller has given up on it
          }
        });
    return waiting;
  }

  /**
   * The shards found silent now, with why.
   *
   * @return by shard key; empty when every shard answers
   */
  Map<String, String> silent() {
    Map<String, String> silent = new LinkedHashMap<>();
    shards.forEach(
        (key, shard) -> {
          String silence = shard.silence;
          if (silence != null) {
            silent.put(key, silence);
          }
        });
    return silent;
  }

  /** Stops the probes. */
  @Override
  public void close() {
    ThreadStop.stop(timer);
  }

  /** A request waiting for a watched shard's headers; cancelling it cancels the request below. */
  private static final class Waiting extends CompletableFuture<UpstreamResponse> {
    private final CompletableFuture<UpstreamResponse> sent;

    Waiting(CompletableFuture<UpstreamResponse> sent) {
      this.sent = sent;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      sent.cancel(mayInterruptIfRunning);
      return cancelled;
    }

    /** The shard is silent: the caller hears it now, and the request below is abandoned. */
    void silenced(SilentShardException silence) {
      completeExceptionally(silence);
      sent.cancel(true);
    }
  }

  /** One shard with one URL: whether it is silent, and the requests that wait for it. */
  private final class Shard {
    final String key;
    final ShardTarget target;
    final String base;
    final Set<Waiting> waiting = ConcurrentHashMap.newKeySet();
    final Set<Streaming> streaming = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean probing = new AtomicBoolean();

    /** Why the shard is silent, or {@code null} while it answers. */
    volatile String silence;

    Shard(String key, ShardTarget target) {
      this.key = key;
      this.target = target;
      this.base = ReplicaClient.withoutSlash(target.baseUrls().get(0));
    }

    /**
     * {@code response}, whose body streams, watched: a body that gets no byte for the probe time
     * has the shard probed, and a shard found silent fails its reads at once.
     */
    UpstreamResponse watch(UpstreamResponse response) {
      Streaming answer = new Streaming(response, probeTime.toNanos());
      streaming.add(answer);
      answer.onClose(() -> streaming.remove(answer));
      try {
        var check =
            timer.scheduleWithFixedDelay(
                () -> {
                  if (answer.stalled(System.nanoTime())) {
                    probe();
                  }
                },
                probeTime.toNanos(),
                probeTime.toNanos(),
                TimeUnit.NANOSECONDS);
        answer.onClose(() -> check.cancel(false));
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // the client is closed: nothing to watch any more
      }
      String why = silence;
      if (why != null) { // found silent while the headers were on their way
        answer.silenced(new SilentShardException(key, why));
      }
      return answer;
    }

    /** Asks {@code /-/ready}, unless a probe is out already. */
    void probe() {
      if (!probing.compareAndSet(false, true)) {
        return;
      }
      ReadyProbe.send(delegate, key, target, base, probeTime)
          .whenComplete(
              (status, failure) -> {
                probing.set(false);
                if (isTimeout(failure)) {
                  silenced();
                } else {
                  answered();
                }
              });
    }

    private void silenced() {
      String why =
          "its /-/ready got no answer within "
              + io.promroute.compat.GoFormat.formatDuration(probeTime.toMillis());
      if (silence == null) {
        LOG.log(System.Logger.Level.WARNING, "shard \"" + key + "\" is silent: " + why);
      }
      silence = why;
      SilentShardException exception = new SilentShardException(key, why);
      for (Waiting request : waiting) {
        request.silenced(exception);
      }
      for (Streaming answer : streaming) {
        answer.silenced(exception);
      }
      try {
        timer.schedule(this::probe, probeTime.toNanos(), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // the client is closed: nothing to watch any more
      }
    }

    private void answered() {
      if (silence != null) {
        LOG.log(System.Logger.Level.INFO, "shard \"" + key + "\" answers again");
        silence = null;
      }
    }
  }

  /**
   * A watched answer whose body streams: it knows when a byte last came, and fails its reads with
   * {@link SilentShardException} once its shard is found silent.
   */
  private static final class Streaming implements UpstreamResponse {
    private final UpstreamResponse response;
    private final long stallNanos;
    private final InputStream body;
    private final List<Runnable> onClose = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean ended;
    private volatile SilentShardException silence;

    Streaming(UpstreamResponse response, long stallNanos) {
      this.response = response;
      this.stallNanos = stallNanos;
      this.body = new Progress(response.body());
    }

    void onClose(Runnable action) {
      onClose.add(action);
      if (closed.get()) {
        action.run();
      }
    }

    /** Whether the body is not read to its end and no byte came for the stall time. */
    boolean stalled(long now) {
      return !ended && !closed.get() && now - lastProgress >= stallNanos;
    }

    void silenced(SilentShardException exception) {
      silence = exception;
      response.close(); // the reads fail at once
    }

    @Override
    public int status() {
      return response.status();
    }

    @Override
    public Map<String, List<String>> headers() {
      return response.headers();
    }

    @Override
    public InputStream body() {
      return body;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        onClose.forEach(Runnable::run);
        response.close();
      }
    }

    private final class Progress extends java.io.FilterInputStream {
      Progress(InputStream in) {
        super(in);
      }

      @Override
      public int read() throws IOException {
        try {
          return progressed(super.read());
        } catch (IOException e) {
          throw failure(e);
        }
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        try {
          return progressed(super.read(buffer, offset, length));
        } catch (IOException e) {
          throw failure(e);
        }
      }

      private int progressed(int read) {
        if (read < 0) {
          ended = true;
        } else {
          lastProgress = System.nanoTime();
        }
        return read;
      }

      private IOException failure(IOException e) {
        SilentShardException silent = silence;
        if (silent == null) {
          return e;
        }
        SilentShardException failure = new SilentShardException(silent.getMessage());
        failure.initCause(e);
        return failure;
      }
    }
  }

  private static boolean isTimeout(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof HttpTimeoutException || cause instanceof TimeoutException;
  }

  /**
   * Why a request to a silent shard failed without waiting for its deadline: a timeout (the
   * router's {@code 504 timeout}), with its own message.
   */
  static final class SilentShardException extends HttpTimeoutException {
    private static final long serialVersionUID = 1L;

    SilentShardException(String shard, String why) {
      this("shard \"" + shard + "\" is not answering: " + why);
    }

    private SilentShardException(String message) {
      super(message);
    }

    /** The router's answer for it: 504 {@code timeout}, with this message. */
    io.promroute.api.ApiError error() {
      return new io.promroute.api.ApiError(504, "timeout", getMessage());
    }
  }
}
