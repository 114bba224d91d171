package io.promroute.router;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * An {@link UpstreamClient} in front of another that sends each request for a shard with several
 * replicas to one of them, and fails over to the next as {@link ReplicaPolicy} says. Requests for
 * shards with one URL, and requests it does not recognize, go to the client below unchanged.
 *
 * <p>It decides on response headers (and on bodies already in memory): an answer it has handed up
 * is relayed as it comes. Only a caller that consumes the whole body before it writes anything (a
 * merge, a cross-shard evaluation) may ask, when that body breaks off or stalls, for the same
 * request on the next replica ({@link #nextReplica}), within the same deadline.
 */
public final class ReplicaClient implements UpstreamClient, AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ReplicaClient.class.getName());

  /** The back-off doubles for each failure in a row, up to this factor. */
  static final int MAX_BACKOFF_FACTOR = 16;

  private final UpstreamClient delegate;
  private final ReplicaPolicy policy;
  private final Map<String, ShardReplicas> shards;

  /** Fires the first-byte timeouts and the probes; {@code null} when no shard has replicas. */
  private final ScheduledThreadPoolExecutor timer;

  /**
   * {@code delegate} itself when no shard has replicas, else a client that spreads each shard's
   * requests over its replicas.
   *
   * @param delegate the client that sends each request
   * @param targets the shards, by key
   * @param policy how replicas are chosen
   * @return the client to send shard requests with
   */
  public static UpstreamClient wrap(
      UpstreamClient delegate, Map<String, ShardTarget> targets, ReplicaPolicy policy) {
    return targets.values().stream().anyMatch(target -> target.baseUrls().size() > 1)
        ? new ReplicaClient(delegate, targets, policy)
        : delegate;
  }

  /** The client that sends each request, for its owner to stop. */
  UpstreamClient delegate() {
    return delegate;
  }

  ReplicaClient(UpstreamClient delegate, Map<String, ShardTarget> targets, ReplicaPolicy policy) {
    this.delegate = requireNonNull(delegate, "delegate is null");
    this.policy = requireNonNull(policy, "policy is null");
    Map<String, ShardReplicas> withReplicas = new LinkedHashMap<>();
    targets.forEach(
        (shard, target) -> {
          if (target.baseUrls().size() > 1) {
            withReplicas.put(shard, new ShardReplicas(shard, target));
          }
        });
    this.shards = java.util.Collections.unmodifiableMap(withReplicas);
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "promroute-replicas");
              thread.setDaemon(true);
              return thread;
            });
    timer.setRemoveOnCancelPolicy(true); // most first-byte timeouts are cancelled: do not keep them
    if (policy.probes()) {
      long interval = policy.probeInterval().toNanos();
      timer.scheduleWithFixedDelay(this::probeAll, 0, interval, TimeUnit.NANOSECONDS);
    }
  }

  /** Sends {@code request} to a replica of its shard, or unchanged to the client below. */
  @Override
  public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
    ShardReplicas replicas = shards.get(request.shard());
    if (replicas == null || !replicas.target.baseUrls().equals(request.target().baseUrls())) {
      return delegate.send(request);
    }
    String path = replicas.pathOf(request.uri());
    if (path == null) {
      return delegate.send(request); // not a URL under the shard's: nothing to spread
    }
    return new Failover(replicas, request, path).start();
  }

  /**
   * Every replica of every shard with replicas, in configuration order.
   *
   * @return their health now
   */
  public List<ReplicaStatus> status() {
    long now = System.nanoTime();
    List<ReplicaStatus> status = new ArrayList<>();
    for (ShardReplicas replicas : shards.values()) {
      for (Replica replica : replicas.replicas) {
        status.add(replica.status(now));
      }
    }
    return status;
  }

  /** Stops the probes and the first-byte timers. */
  @Override
  public void close() {
    ThreadStop.stop(timer);
  }

  private void probeAll() {
    for (ShardReplicas replicas : shards.values()) {
      for (Replica replica : replicas.replicas) {
        try {
          probe(replicas, replica);
        } catch (RuntimeException e) {
          // A periodic task that throws is never run again: log, and probe again next time.
          LOG.log(
              System.Logger.Level.WARNING,
              "probing replica " + replica.index + " of shard " + replicas.shard + " failed",
              e);
        }
      }
    }
  }

  private void probe(ShardReplicas replicas, Replica replica) {
    ShardTarget target = replicas.target.replica(replica.index);
    Duration timeout =
        policy.probeInterval().compareTo(policy.firstByteTimeout()) < 0
            ? policy.probeInterval()
            : policy.firstByteTimeout();
    ReadyProbe.send(delegate, replicas.shard, target, replica.base, timeout)
        .whenComplete(
            (status, failure) -> {
              if (failure == null && status == 200) {
                replica.succeeded();
              } else {
                replica.failed(
                    System.nanoTime(),
                    "probe " + (failure != null ? describe(failure) : "status " + status));
              }
            });
  }

  /**
   * For a caller that reads the whole of {@code answer}'s body before it writes anything: from now
   * on a read that waits longer than the first-byte timeout for the next byte fails (the replica
   * has stalled), so that {@link #nextReplica} can still ask another replica in time. Does nothing
   * for an answer that is not a replica's.
   */
  static void consuming(UpstreamResponse answer) {
    if (answer instanceof Answer replicas) {
      replicas.watchStalls();
    }
  }

  /**
   * The same request as {@code broken}'s, sent to the shard's next replica within what is left of
   * its deadline, after reading {@code broken}'s body failed with {@code failure}: that replica
   * counts as failed, as if it had failed before its headers. The future completes as {@link #send}
   * does (a replica's answer, or the last failure when none is left); closing {@code broken}
   * cancels it, or closes its answer.
   *
   * @return the future, or {@code null} when {@code broken} is not a replica's answer (a shard with
   *     one URL), so no other replica can be asked
   */
  static CompletableFuture<UpstreamResponse> nextReplica(
      UpstreamResponse broken, java.io.IOException failure) {
    return broken instanceof Answer replicas ? replicas.next(failure) : null;
  }

  /** Whether {@code answer} is a replica's, whose request {@link #nextReplica} can send on. */
  static boolean isReplicaAnswer(UpstreamResponse answer) {
    return answer instanceof Answer;
  }

  /** What a replica answered, as far as choosing a replica is concerned. */
  enum Outcome {
    /** An answer to relay (2xx, or a Prometheus 4xx such as {@code bad_data}). */
    ANSWER,
    /** Not an answer from a healthy Prometheus: the next replica is asked. */
    FAILURE,
    /**
     * The request was cancelled by its caller, or lost to another replica: says nothing of the
     * replica.
     */
    CANCELLED
  }

  /**
   * @param endpoint the endpoint asked, when it is one of the API's: a success answer already in
   *     memory (a small one) is then checked whole, as the router would check it, so that a 200
   *     holding {@code "status":"error"}, cut-off JSON or the wrong kind of data fails over too (a
   *     streamed answer is handed up as it comes, and checked as it is copied)
   */
  static Outcome classify(
      UpstreamResponse response, io.promroute.api.Endpoint endpoint, String shard) {
    int status = response.status();
    if (status >= 500 || (status >= 300 && status < 400)) {
      return Outcome.FAILURE; // a redirect could lead anywhere: never followed, never relayed
    }
    // Every Prometheus API answer, success or error, is JSON: an HTML page is a proxy's or a
    // misconfigured path's.
    List<String> type = response.headers().get("content-type");
    if (type != null && !type.isEmpty() && !type.get(0).toLowerCase(Locale.ROOT).contains("json")) {
      return Outcome.FAILURE;
    }
    if (endpoint != null
        && status / 100 == 2
        && response.body() instanceof java.io.ByteArrayInputStream
        && !response
            .headers()
            .containsKey("content-encoding")) { // an encoded one is decoded, and judged, later
      try {
        if (ShardAnswers.problem(endpoint, shard, response, false)
            != null) { // reads and rewinds it
          return Outcome.FAILURE;
        }
      } catch (java.io.IOException e) {
        return Outcome.FAILURE;
      }
    }
    return Outcome.ANSWER;
  }

  private static String describe(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause.getClass().getSimpleName()
        + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
  }

  /** A shard's replicas and health. */
  private final class ShardReplicas {
    final String shard;
    final ShardTarget target;
    final List<Replica> replicas;

    ShardReplicas(String shard, ShardTarget target) {
      this.shard = shard;
      this.target = target;
      List<Replica> list = new ArrayList<>();
      for (int i = 0; i < target.baseUrls().size(); i++) {
        list.add(new Replica(shard, i, withoutSlash(target.baseUrls().get(i))));
      }
      this.replicas = List.copyOf(list);
    }

    /**
     * The part of {@code uri} after the first replica's URL, or {@code null} if it is not under it.
     */
    String pathOf(URI uri) {
      String text = uri.toString();
      String base = replicas.get(0).base;
      return text.startsWith(base) ? text.substring(base.length()) : null;
    }

    /**
     * The order to try the replicas in: those in rotation in configuration order (the same replica
     * answers every panel of a dashboard, so they agree with each other), then the others, the one
     * due back first first: better a replica that failed a while ago than no answer.
     */
    List<Replica> order(long now) {
      List<Replica> inRotation = new ArrayList<>();
      List<Replica> out = new ArrayList<>();
      for (Replica replica : replicas) {
        (replica.inRotation(now) ? inRotation : out).add(replica);
      }
      out.sort(Comparator.comparingLong(replica -> replica.outUntil() - now));
      inRotation.addAll(out);
      return inRotation;
    }
  }

  /** {@code uri} as a base URL to append paths to: without a trailing {@code /}. */
  static String withoutSlash(URI uri) {
    String text = uri.toString();
    return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
  }

  /** One replica's health: its failures in a row and, after one, until when it is skipped. */
  private final class Replica {
    final String shard;
    final int index;
    final String base;
    private int failures;
    private long outUntil;

    Replica(String shard, int index, String base) {
      this.shard = shard;
      this.index = index;
      this.base = base;
    }

    synchronized boolean inRotation(long now) {
      // With probes, only a passing probe (or request) brings a replica back.
      return failures == 0 || (!policy.probes() && now - outUntil >= 0);
    }

    synchronized long outUntil() {
      return outUntil;
    }

    synchronized ReplicaStatus status(long now) {
      return new ReplicaStatus(shard, index, URI.create(base), inRotation(now), failures);
    }

    void succeeded() {
      boolean back;
      synchronized (this) {
        back = failures > 0;
        failures = 0;
      }
      if (back) {
        LOG.log(
            System.Logger.Level.INFO,
            "replica {0} of shard {1} ({2}) answers again",
            index,
            shard,
            base);
      }
    }

    void failed(long now, String why) {
      int count;
      long backoff;
      synchronized (this) {
        count = ++failures;
        backoff =
            policy.backoff().toNanos()
                * Math.min(MAX_BACKOFF_FACTOR, 1L << Math.min(count - 1, 30));
        outUntil = now + backoff;
      }
      if (count == 1) {
        LOG.log(
            System.Logger.Level.WARNING,
            "replica {0} of shard {1} ({2}) failed ({3}): out of rotation for {4} ms{5}",
            index,
            shard,
            base,
            why,
            TimeUnit.NANOSECONDS.toMillis(backoff),
            policy.probes() ? " and until a probe passes" : "");
      }
    }
  }

  /**
   * A replica's answer handed up: its body can be watched for stalls, and its request sent on to
   * the other replicas when the body breaks off ({@link #nextReplica}). Closing it closes what the
   * other replicas answered in its place too, so that the exchange, which knows only this answer,
   * releases them all.
   */
  private final class Answer implements UpstreamResponse {
    private final UpstreamResponse response;
    private final Failover failover;
    private final Replica replica;

    /** The body, watched unless it is already in memory (whose type says so to every reader). */
    private final java.io.InputStream body;

    private final Body watched;
    private CompletableFuture<UpstreamResponse> next; // guarded by this
    private ScheduledFuture<?> stallWatch; // guarded by this
    private boolean closed; // guarded by this

    Answer(UpstreamResponse response, Failover failover, Replica replica) {
      this.response = response;
      this.failover = failover;
      this.replica = replica;
      this.watched =
          response.body() instanceof java.io.ByteArrayInputStream
              ? null
              : new Body(response.body());
      this.body = watched != null ? watched : response.body();
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
    public java.io.InputStream body() {
      return body;
    }

    void watchStalls() {
      if (watched == null) {
        return; // nothing left to wait for
      }
      long period =
          Math.max(TimeUnit.MILLISECONDS.toNanos(10), policy.firstByteTimeout().toNanos() / 4);
      synchronized (this) {
        if (closed || stallWatch != null) {
          return;
        }
        stallWatch =
            timer.scheduleWithFixedDelay(this::checkStall, period, period, TimeUnit.NANOSECONDS);
      }
    }

    private void checkStall() {
      long waiting = watched.waitingSince;
      if (waiting != 0 && System.nanoTime() - waiting > policy.firstByteTimeout().toNanos()) {
        watched.stalled = true;
        stopWatching();
        response.close(); // fails the read that waits
      }
    }

    private void stopWatching() {
      ScheduledFuture<?> watch;
      synchronized (this) {
        watch = stallWatch;
        stallWatch = null;
      }
      if (watch != null) {
        watch.cancel(false);
      }
    }

    CompletableFuture<UpstreamResponse> next(java.io.IOException failure) {
      Failover resumed;
      synchronized (this) {
        if (closed || next != null) {
          return closed
              ? CompletableFuture.failedFuture(new CancellationException("closed"))
              : next;
        }
        if (System.nanoTime() - failover.deadline >= 0) {
          // The request's deadline failed the read: no time for another replica, and no sign
          // that this one is sick rather than slow.
          return CompletableFuture.failedFuture(failure);
        }
        java.util.Set<Replica> broken = new java.util.HashSet<>(failover.broken);
        broken.add(replica);
        resumed =
            new Failover(
                failover.replicas, failover.request, failover.path, failover.deadline, broken);
        next = resumed;
      }
      stopWatching();
      response.close(); // the broken connection, at once
      replica.failed(
          System.nanoTime(),
          "its answer broke off: "
              + describe(failure.getCause() != null ? failure.getCause() : failure));
      return resumed.start();
    }

    @Override
    public void close() {
      CompletableFuture<UpstreamResponse> resumed;
      synchronized (this) {
        closed = true;
        resumed = next;
      }
      stopWatching();
      response.close();
      if (resumed != null && !resumed.cancel(true) && !resumed.isCompletedExceptionally()) {
        resumed.join().close();
      }
    }
  }

  /**
   * A replica's body that knows since when a read waits, and fails that read as a stall once it is
   * stopped.
   */
  private static final class Body extends java.io.FilterInputStream {
    /** Since when (nanos) a read waits for bytes; 0 while none does. */
    volatile long waitingSince;

    volatile boolean stalled;

    Body(java.io.InputStream in) {
      super(in);
    }

    @Override
    public int read() throws java.io.IOException {
      waitingSince = Math.max(1, System.nanoTime());
      try {
        return super.read();
      } catch (java.io.IOException e) {
        throw stalled ? stall(e) : e;
      } finally {
        waitingSince = 0;
      }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws java.io.IOException {
      waitingSince = Math.max(1, System.nanoTime());
      try {
        return super.read(buffer, offset, length);
      } catch (java.io.IOException e) {
        throw stalled ? stall(e) : e;
      } finally {
        waitingSince = 0;
      }
    }

    private static java.io.IOException stall(java.io.IOException cause) {
      return new java.io.IOException("the answer stalled", cause);
    }
  }

  /**
   * One request: the attempts at the replicas, in {@link ShardReplicas#order}, each started when
   * the one before failed or has not answered within the first-byte timeout. The first answer wins
   * and the other attempts are cancelled; when every replica failed, the last failure is the answer
   * (a 5xx is relayed as it came, so the caller reports it as for a shard without replicas).
   * Cancelling it cancels every attempt.
   *
   * <p>Decisions are taken under its lock; futures are completed and cancelled outside it, since
   * their dependents may run anything.
   */
  private final class Failover extends CompletableFuture<UpstreamResponse> {
    private final ShardReplicas replicas;
    private final UpstreamRequest request;
    private final String path;

    /** The API endpoint asked, if it is one; null for another path. */
    private final io.promroute.api.Endpoint endpoint;

    private final List<Replica> order;
    private final long deadline;
    private final List<Attempt> attempts = new ArrayList<>();
    private int next;
    private int pending;
    private UpstreamResponse failedResponse;
    private Throwable failure;
    private ScheduledFuture<?> firstByteTimer;

    /** One replica asked, since {@code started} (nanos). */
    private record Attempt(
        Replica replica, long started, CompletableFuture<UpstreamResponse> future) {}

    /** Replicas whose answer's body broke off, never asked again for this request. */
    private final java.util.Set<Replica> broken;

    Failover(ShardReplicas replicas, UpstreamRequest request, String path) {
      this(
          replicas,
          request,
          path,
          System.nanoTime() + request.timeout().toNanos(),
          java.util.Set.of());
    }

    /**
     * The same request from the replicas not in {@code broken}, until the first one's {@code
     * deadline}.
     */
    Failover(
        ShardReplicas replicas,
        UpstreamRequest request,
        String path,
        long deadline,
        java.util.Set<Replica> broken) {
      this.replicas = replicas;
      this.request = request;
      this.path = path;
      int query = path.indexOf('?');
      this.endpoint =
          io.promroute.api.Endpoint.of(query < 0 ? path : path.substring(0, query)).orElse(null);
      List<Replica> inOrder = new ArrayList<>(replicas.order(System.nanoTime()));
      inOrder.removeAll(broken);
      this.order = inOrder;
      this.deadline = deadline;
      this.broken = broken;
    }

    Failover start() {
      attempt();
      return this;
    }

    /**
     * Starts the next replica's attempt, if there is one and time left; gives up if nothing is left
     * to wait for.
     */
    private void attempt() {
      Replica replica;
      long remaining;
      long now = System.nanoTime();
      synchronized (this) {
        if (isDone()) {
          return;
        }
        remaining = deadline - now;
        if (next >= order.size() || remaining <= 0) {
          if (pending > 0) {
            return; // the attempts under way may still answer
          }
          replica = null;
        } else {
          replica = order.get(next++);
          pending++;
        }
      }
      if (replica == null) {
        giveUp();
        return;
      }
      ShardTarget target = replicas.target.replica(replica.index);
      UpstreamRequest attempt =
          new UpstreamRequest(
              request.shard(),
              target,
              request.method(),
              URI.create(replica.base + path),
              request.headers(),
              request.body(),
              Duration.ofNanos(remaining));
      CompletableFuture<UpstreamResponse> sent;
      try {
        sent = delegate.send(attempt);
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      ScheduledFuture<?> previous = null;
      synchronized (this) {
        attempts.add(new Attempt(replica, now, sent));
        if (next < order.size() && !isDone()) {
          long wait = Math.min(policy.firstByteTimeout().toNanos(), remaining);
          previous = firstByteTimer;
          firstByteTimer = timer.schedule(this::attempt, wait, TimeUnit.NANOSECONDS);
        }
      }
      if (previous != null) {
        previous.cancel(false);
      }
      sent.whenComplete((response, thrown) -> settled(replica, response, thrown));
      if (isDone() && !sent.isDone()) {
        // Cancelled, or answered by another replica, while this one was asked. (When this attempt
        // is what answered, before whenComplete above was even registered, it must be left alone:
        // its body is still to be read.)
        sent.cancel(true);
      }
    }

    private void settled(Replica replica, UpstreamResponse response, Throwable thrown) {
      Outcome outcome =
          thrown != null
              // Once the request is answered, the others' failures are most likely their
              // cancellation.
              ? (isDone() || cancellation(thrown) ? Outcome.CANCELLED : Outcome.FAILURE)
              : classify(response, endpoint, request.shard());
      long now = System.nanoTime();
      switch (outcome) {
        case ANSWER -> {
          replica.succeeded();
          if (!isDone()) {
            slowOnesFailed(now); // before answering: the caller's next request must see it
          }
          if (complete(new Answer(response, this, replica))) {
            cancelAttempts();
            releaseHeld();
          } else {
            response.close(); // another replica answered first, or the caller gave up
          }
          return;
        }
        case FAILURE ->
            replica.failed(now, thrown != null ? describe(thrown) : "status " + response.status());
        case CANCELLED -> {
          // says nothing about the replica
        }
      }
      UpstreamResponse dropped = null;
      synchronized (this) {
        pending--;
        if (isDone()) {
          dropped = response; // answered meanwhile: nothing to keep
        } else if (response != null) {
          dropped = failedResponse;
          failedResponse = response;
          failure = null;
        } else if (outcome == Outcome.FAILURE) {
          dropped = failedResponse;
          failedResponse = null;
          failure = thrown;
        }
      }
      if (dropped != null) {
        dropped.close();
      }
      attempt();
    }

    /**
     * Replicas still silent past the first-byte timeout when another answered count as failed:
     * otherwise a replica that accepts connections and never answers would stay first in rotation
     * and cost every request the timeout.
     */
    private void slowOnesFailed(long now) {
      List<Attempt> started;
      synchronized (this) {
        started = List.copyOf(attempts);
      }
      for (Attempt attempt : started) {
        if (!attempt.future.isDone()
            && now - attempt.started >= policy.firstByteTimeout().toNanos()) {
          attempt.replica.failed(
              now, "no response headers within " + policy.firstByteTimeout().toMillis() + " ms");
        }
      }
    }

    private void giveUp() {
      UpstreamResponse last;
      Throwable cause;
      synchronized (this) {
        last = failedResponse;
        cause = failure;
        failedResponse = null;
      }
      if (last != null) {
        if (!complete(last)) {
          last.close();
        }
      } else if (cause != null) {
        completeExceptionally(
            cause instanceof CompletionException && cause.getCause() != null
                ? cause.getCause()
                : cause);
      } else {
        completeExceptionally(
            new java.net.http.HttpTimeoutException(
                "no replica of shard "
                    + request.shard()
                    + " answered within "
                    + request.timeout().toMillis()
                    + " ms"));
      }
      cancelAttempts();
    }

    private void cancelAttempts() {
      List<Attempt> started;
      ScheduledFuture<?> timerTask;
      synchronized (this) {
        started = List.copyOf(attempts);
        timerTask = firstByteTimer;
      }
      if (timerTask != null) {
        timerTask.cancel(false);
      }
      for (Attempt attempt : started) {
        if (!attempt.future.isDone()) {
          attempt.future.cancel(true);
        }
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      cancelAttempts();
      releaseHeld();
      return cancelled;
    }

    /** Closes the failed answer kept in case every replica fails. */
    private void releaseHeld() {
      UpstreamResponse held;
      synchronized (this) {
        held = failedResponse;
        failedResponse = null;
      }
      if (held != null) {
        held.close();
      }
    }

    private static boolean cancellation(Throwable thrown) {
      Throwable cause =
          thrown instanceof CompletionException && thrown.getCause() != null
              ? thrown.getCause()
              : thrown;
      return cause instanceof CancellationException;
    }
  }
}
