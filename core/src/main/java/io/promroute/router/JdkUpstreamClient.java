package io.promroute.router;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * {@link UpstreamClient} on {@code java.net.http.HttpClient}: HTTP/1.1, no redirects (a redirect
 * could lead to an address not in the configuration), one client per distinct TLS setting.
 */
final class JdkUpstreamClient implements UpstreamClient {

  // HttpClient refuses to set these itself; the filter never sends them anyway.
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade");

  /**
   * Bodies announced (Content-Length) at most this long are read whole before the answer is given:
   * the answer can then be written without waiting for the network. Longer or chunked bodies
   * stream. Prometheus sends a Content-Length for answers under 2 KB.
   */
  static final int BUFFERED_BODY_BYTES = 32 * 1024;

  /**
   * How long a streamed body closed before its end may take to end by itself (its last bytes are
   * usually on their way) before its connection is dropped. See {@link StreamedBody#close}.
   */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

  private static final AtomicInteger CLIENTS = new AtomicInteger();

  /**
   * Fires the deadlines of this client's exchanges: one thread, which only fails futures and
   * streams; stopped by {@link #close}, which also drops the deadlines still queued.
   */
  private final ScheduledThreadPoolExecutor deadlines = timer();

  private final Duration connectTimeout;
  private final ConcurrentMap<ShardTarget.Tls, HttpClient> clients = new ConcurrentHashMap<>();

  /**
   * The clients' worker threads, ours so that {@link #close} can stop them (the JDK's default
   * executor cannot be reached).
   */
  private final ExecutorService executor;

  JdkUpstreamClient(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
    int id = CLIENTS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread =
                  new Thread(runnable, "promroute-http-" + id + "-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
    HttpClient client = clients.computeIfAbsent(request.target().tls(), this::newClient);
    HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri()).timeout(request.timeout());
    request
        .headers()
        .forEach(
            (name, values) -> {
              if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> builder.header(name, value));
              }
            });
    if (request.method().equals("POST")) {
      builder.POST(HttpRequest.BodyPublishers.ofByteArray(request.body()));
    } else {
      builder.GET();
    }
    HttpRequest built = builder.build();
    Answer answer =
        new Answer(
            handler -> client.sendAsync(built, handler),
            // The one retry goes on a new connection: the JDK's client cannot be asked for one but
            // through a client of its own (rare: a shard closing idle connections as they are
            // reused;
            // the client and its connection go when the exchange is over).
            handler -> newClient(request.target().tls()).sendAsync(built, handler));
    answer.deadline(deadlines, request.timeout());
    answer.attempt();
    return answer;
  }

  /**
   * The caller's future, completed on the client's thread as soon as the answer can be read: at the
   * headers for a streamed body, at the last byte for a small one. It is also the body handler of
   * the exchange.
   *
   * <p>Why not wait for the future {@code sendAsync} returns: that one is completed through {@code
   * CompletableFuture}'s default executor, which with 2 or fewer CPUs is a new thread per task (the
   * common pool needs a parallelism of 2): one thread created and destroyed per shard request,
   * about 200 µs of CPU each, and one more hand-off. Once this future has an answer it completes
   * the exchange's future itself, so that the client has nothing left to hand off.
   *
   * <p>The request's timeout is a deadline for the whole exchange: the JDK's own request timeout
   * only covers the headers, so a timer fails whatever is still missing when it passes, the headers
   * or the rest of the body, and closes the connection.
   */
  private static final class Answer extends CompletableFuture<UpstreamResponse>
      implements BodyHandler<Void> {
    private final java.util.function.Function<
            BodyHandler<Void>, CompletableFuture<HttpResponse<Void>>>
        sender;
    private final java.util.function.Function<
            BodyHandler<Void>, CompletableFuture<HttpResponse<Void>>>
        retrySender;
    private volatile CompletableFuture<HttpResponse<Void>> exchange;
    private volatile StreamedBody streamed;
    private volatile ScheduledFuture<?> timer;
    private volatile ScheduledThreadPoolExecutor deadlines;
    private volatile boolean headersSeen;
    private int attempts;

    Answer(
        java.util.function.Function<BodyHandler<Void>, CompletableFuture<HttpResponse<Void>>>
            sender,
        java.util.function.Function<BodyHandler<Void>, CompletableFuture<HttpResponse<Void>>>
            retrySender) {
      this.sender = sender;
      this.retrySender = retrySender;
    }

    void deadline(ScheduledThreadPoolExecutor deadlines, Duration timeout) {
      this.deadlines = deadlines;
      timer = deadlines.schedule(() -> expire(timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    void attempt() {
      attempts++;
      CompletableFuture<HttpResponse<Void>> started;
      try {
        started = (attempts == 1 ? sender : retrySender).apply(this);
      } catch (RuntimeException e) {
        fail(e);
        return;
      }
      this.exchange = started;
      StreamedBody body = streamed;
      if (isCancelled() || isCompletedExceptionally() || (body != null && body.givenUp())) {
        started.cancel(true); // given up while it was being sent: nothing else would cancel it
        return;
      }
      started.whenComplete(
          (ignored, failure) -> {
            if (failure == null) {
              return;
            }
            if (!headersSeen && attempts == 1 && !isDone() && diedBeforeAnswer(failure)) {
              attempt(); // the connection died before any byte of the answer: once more, on another
            } else {
              fail(failure);
            }
          });
      if (isDone() && streamed == null) {
        // A whole body came before sendAsync returned. (Never a streamed one: its exchange stays
        // cancellable, which is what closes the connection of a body given up.)
        detach(started);
      }
    }

    private void fail(Throwable failure) {
      completeExceptionally(failure);
      StreamedBody body = streamed;
      if (body != null) {
        body.fail(failure instanceof IOException io ? io : new IOException(failure));
      }
      stopTimer();
    }

    private void expire(Duration timeout) {
      HttpTimeoutException failure =
          new HttpTimeoutException("no complete answer within " + timeout);
      if (completeExceptionally(failure)) {
        CompletableFuture<HttpResponse<Void>> started = exchange;
        if (started != null) {
          started.cancel(true);
        }
      }
      StreamedBody body = streamed;
      if (body != null) {
        body.fail(failure);
      }
    }

    /** Runs {@code task} after {@link #CLOSE_GRACE}, at once if the client is stopping. */
    private void afterGrace(Runnable task) {
      try {
        deadlines.schedule(task, CLOSE_GRACE.toNanos(), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException stopping) {
        task.run();
      }
    }

    private void stopTimer() {
      ScheduledFuture<?> scheduled = timer;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
    }

    @Override
    public BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
      headersSeen = true;
      long length = info.headers().firstValueAsLong("content-length").orElse(-1);
      if (length >= 0 && length <= BUFFERED_BODY_BYTES) {
        return new WholeBody(info);
      }
      // Not detached: cancelling the exchange is what closes the connection of a body given up.
      StreamedBody body =
          new StreamedBody(
              this::stopTimer,
              () -> {
                CompletableFuture<HttpResponse<Void>> started = exchange;
                if (started != null) {
                  started.cancel(true);
                }
              },
              this::afterGrace);
      streamed = body;
      if (!complete(UpstreamResponse.of(info.statusCode(), info.headers().map(), body))) {
        body.close();
      }
      return body;
    }

    /**
     * Reads a small body whole, then answers; only then tells the client the body is done, so that
     * the answer (and {@link #detach}) comes before the client completes the exchange.
     */
    private final class WholeBody implements BodySubscriber<Void> {
      private final BodySubscriber<byte[]> bytes = BodySubscribers.ofByteArray();
      private final CompletableFuture<Void> done = new CompletableFuture<>();

      WholeBody(HttpResponse.ResponseInfo info) {
        bytes
            .getBody()
            .whenComplete(
                (body, failure) -> {
                  stopTimer();
                  if (failure != null) {
                    completeExceptionally(failure);
                    done.completeExceptionally(failure);
                  } else {
                    answer(
                        UpstreamResponse.of(
                            info.statusCode(),
                            info.headers().map(),
                            new ByteArrayInputStream(body)));
                    done.complete(null);
                  }
                });
      }

      @Override
      public CompletionStage<Void> getBody() {
        return done;
      }

      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        bytes.onSubscribe(subscription);
      }

      @Override
      public void onNext(List<ByteBuffer> item) {
        bytes.onNext(item);
      }

      @Override
      public void onError(Throwable throwable) {
        bytes.onError(throwable);
      }

      @Override
      public void onComplete() {
        bytes.onComplete();
      }
    }

    private void answer(UpstreamResponse response) {
      if (!complete(response)) {
        response.close(); // the caller gave up before the answer came
      }
      CompletableFuture<HttpResponse<Void>> started = exchange;
      if (started != null) {
        detach(started);
      }
    }

    /**
     * Completing the exchange's future before the client does means the client's completion finds
     * it done and schedules nothing (the client's own bookkeeping is on an earlier stage).
     */
    private static void detach(CompletableFuture<HttpResponse<Void>> exchange) {
      exchange.complete(null);
    }

    /**
     * Cancelling it before it is answered cancels the exchange too (a dependent future would not
     * reach it). Once it is answered the answer is the caller's, as with any future, and a cancel
     * changes nothing: cancelling the exchange then would close the connection the body is still
     * streaming on (the caller reading it would see the shard's connection lost).
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        CompletableFuture<HttpResponse<Void>> started = exchange;
        if (started != null) {
          started.cancel(true);
        }
        stopTimer();
      }
      return cancelled;
    }
  }

  /**
   * A streamed body, read as an {@link InputStream}: the client's buffers are asked for one list at
   * a time, the next when the previous one is read, so memory stays at one network read whatever
   * the answer's size. A read waits for bytes, the end, a failure of the connection or the deadline
   * ({@link #fail}), whichever comes first. Closing it before the end drops the connection, unless
   * the end comes next ({@link #close}).
   */
  private static final class StreamedBody extends InputStream implements BodySubscriber<Void> {
    private final java.util.concurrent.locks.ReentrantLock lock =
        new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition changed = lock.newCondition();
    private final java.util.ArrayDeque<ByteBuffer> buffers = new java.util.ArrayDeque<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Runnable onEnd;
    private final Runnable abort;
    private final java.util.function.Consumer<Runnable> afterGrace;
    private Flow.Subscription subscription;
    private boolean requested;
    private boolean complete;
    private boolean closed;
    private IOException failure;

    StreamedBody(Runnable onEnd, Runnable abort, java.util.function.Consumer<Runnable> afterGrace) {
      this.onEnd = onEnd;
      this.abort = abort;
      this.afterGrace = afterGrace;
    }

    /** Whether it was given up before its end (closed and dropped, or failed). */
    boolean givenUp() {
      lock.lock();
      try {
        return failure != null && !complete;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public CompletionStage<Void> getBody() {
      return done;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      boolean failed;
      boolean closedEarly;
      lock.lock();
      try {
        this.subscription = subscription;
        failed = failure != null;
        closedEarly = closed && !failed;
        requested = !failed && !closedEarly;
      } finally {
        lock.unlock();
      }
      if (closedEarly) {
        fail(closedBeforeTheEnd()); // nothing has arrived: the body cannot have ended
      } else if (failed) {
        subscription.cancel();
      } else {
        subscription.request(1);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      boolean closedEarly;
      lock.lock();
      try {
        requested = false;
        closedEarly = closed;
        if (!closed) {
          for (ByteBuffer buffer : item) {
            if (buffer.hasRemaining()) {
              buffers.add(buffer);
            }
          }
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      if (closedEarly) {
        // More bytes after the close: the body really is cut short. Dropped here, on the client's
        // thread, before it parses on to the end and hands the connection back to its pool.
        fail(closedBeforeTheEnd());
      }
    }

    private static IOException closedBeforeTheEnd() {
      return new IOException("the body was closed before its end");
    }

    @Override
    public void onError(Throwable throwable) {
      fail(throwable instanceof IOException io ? io : new IOException(throwable));
    }

    @Override
    public void onComplete() {
      lock.lock();
      try {
        complete = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      done.complete(null);
      onEnd.run();
    }

    /** Fails the reads to come (unless the whole body is here) and drops the connection. */
    void fail(IOException cause) {
      Flow.Subscription cancelled;
      lock.lock();
      try {
        if (complete || failure != null) {
          return;
        }
        failure = cause;
        cancelled = subscription;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      if (cancelled != null) {
        cancelled.cancel();
      }
      abort.run();
      done.completeExceptionally(cause);
      onEnd.run();
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int read = read(one, 0, 1);
      return read < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
      java.util.Objects.checkFromIndexSize(offset, length, target.length);
      if (length == 0) {
        return 0;
      }
      while (true) {
        Flow.Subscription ask = null;
        int read = -1;
        lock.lock();
        try {
          if (closed) {
            throw new IOException("the body is closed");
          }
          ByteBuffer head = buffers.peek();
          if (head != null) {
            read = Math.min(length, head.remaining());
            head.get(target, offset, read);
            if (!head.hasRemaining()) {
              buffers.poll();
            }
          } else if (failure != null) {
            throw failure;
          } else if (complete) {
            return -1;
          }
          if (buffers.isEmpty()
              && !requested
              && !complete
              && failure == null
              && subscription != null) {
            requested = true;
            ask = subscription; // the next bytes travel while these are used
          } else if (read < 0) {
            changed.awaitUninterruptibly();
          }
        } finally {
          lock.unlock();
        }
        if (ask != null) {
          ask.request(1);
        }
        if (read >= 0) {
          return read;
        }
      }
    }

    @Override
    public int available() {
      lock.lock();
      try {
        int available = 0;
        for (ByteBuffer buffer : buffers) {
          available += buffer.remaining();
        }
        return available;
      } finally {
        lock.unlock();
      }
    }

    /**
     * Closing before the end does not drop the connection at once, since that would race the
     * client: the last bytes and the end of a chunked body come in one read, and the client hands
     * the connection back to its pool before it signals the end; cancelling the exchange in between
     * closes a connection that another request may already be using (its answer then breaks off).
     * So the next signal decides: the end (the connection is reused), more bytes (dropped in {@link
     * #onNext}, before the client parses on), or nothing within {@link #CLOSE_GRACE} (a stalled
     * body: dropped then). The reads fail at once in any case.
     */
    @Override
    public void close() {
      Flow.Subscription ask = null;
      boolean ended;
      lock.lock();
      try {
        if (closed) {
          return;
        }
        closed = true;
        buffers.clear();
        ended = complete || failure != null;
        if (!ended && !requested && subscription != null) {
          requested = true;
          ask = subscription;
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      if (ended) {
        return;
      }
      if (ask != null) {
        ask.request(1);
      }
      afterGrace.accept(() -> fail(closedBeforeTheEnd()));
    }
  }

  /**
   * Whether a request failed because its connection closed before any byte of the answer came: what
   * a shard closing an idle keep-alive connection just as it is reused looks like. Every request of
   * the Prometheus API the router sends is a read, safe to send again. (The JDK's client retries a
   * GET on such a connection itself, but not a POST.) Timeouts, refused connections and a
   * cancellation are not retried.
   */
  private static boolean diedBeforeAnswer(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof HttpTimeoutException
        || cause instanceof java.net.ConnectException
        || !(cause instanceof IOException)) {
      return false;
    }
    String message = String.valueOf(cause.getMessage());
    return cause instanceof java.io.EOFException
        || cause instanceof java.net.SocketException
        || cause instanceof java.nio.channels.ClosedChannelException
        || message.contains("received no bytes")
        || message.contains("connection closed")
        || message.contains("Connection reset");
  }

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "promroute-upstream-deadlines");
              thread.setDaemon(true);
              thread.setContextClassLoader(
                  ClassLoader.getPlatformClassLoader()); // keeps no application's classes
              return thread;
            });
    timer.setRemoveOnCancelPolicy(true); // most deadlines are cancelled long before they pass
    return timer;
  }

  private HttpClient newClient(ShardTarget.Tls tls) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(connectTimeout)
            .executor(executor);
    if (tls.caFile() != null || tls.insecureSkipVerify()) {
      builder.sslContext(sslContext(tls));
    }
    // The client starts its selector thread now, on a request thread whose context class loader
    // is a web application's: a thread that outlives the application would keep its classes.
    // Java 17 cannot stop that thread (it ends once the client is collected), so it starts
    // without the application's loader.
    Thread current = Thread.currentThread();
    ClassLoader loader = current.getContextClassLoader();
    current.setContextClassLoader(ClassLoader.getPlatformClassLoader());
    try {
      return builder.build();
    } finally {
      current.setContextClassLoader(loader);
    }
  }

  /**
   * Stops the worker threads and lets go of the clients. Their selector threads end at once on Java
   * 21 and later ({@code HttpClient.shutdownNow}), on Java 17 once the clients are collected.
   * Requests still running fail.
   */
  void close() {
    java.util.List<HttpClient> closing = new java.util.ArrayList<>(clients.values());
    clients.clear();
    for (HttpClient client : closing) {
      try {
        HttpClient.class.getMethod("shutdownNow").invoke(client);
      } catch (ReflectiveOperationException e) {
        // Java 17: no such method; the selector thread ends with the client
      }
    }
    deadlines.shutdownNow();
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static SSLContext sslContext(ShardTarget.Tls tls) {
    try {
      TrustManager[] trustManagers;
      if (tls.insecureSkipVerify()) {
        trustManagers = new TrustManager[] {new TrustEverything()};
      } else {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(tls.caFile())) {
          int index = 0;
          for (Certificate certificate :
              CertificateFactory.getInstance("X.509").generateCertificates(in)) {
            store.setCertificateEntry("ca-" + index++, certificate);
          }
        }
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        trustManagers = factory.getTrustManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trustManagers, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot set up TLS with CA file " + tls.caFile() + ": " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the connection is being dropped anyway
    }
  }

  /**
   * For {@code insecureSkipVerify}: an extended trust manager, so the JDK also skips its host name
   * check (which it delegates to extended trust managers).
   */
  private static final class TrustEverything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(
        X509Certificate[] chain, String authType, java.net.Socket socket) {}

    @Override
    public void checkServerTrusted(
        X509Certificate[] chain, String authType, java.net.Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
