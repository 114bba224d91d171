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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
   * Bodies announced (Content-Length) at most this long are read whole before the answer is
   * given: the answer can then be written without waiting for the network. Longer or chunked
   * bodies stream. Prometheus sends a Content-Length for answers under 2 KB.
   */
  static final int BUFFERED_BODY_BYTES = 32 * 1024;

  private static final AtomicInteger CLIENTS = new AtomicInteger();

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
    this.executor = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "promroute-http-" + id + "-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  @Override
  public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
    HttpClient client = clients.computeIfAbsent(request.target().tls(), this::newClient);
    HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri()).timeout(request.timeout());
    request.headers().forEach(
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
    Answer answer = new Answer();
    answer.started(client.sendAsync(builder.build(), answer));
    return answer;
  }

  /**
   * The caller's future, completed on the client's thread as soon as the answer can be read: at
   * the headers for a streamed body, at the last byte for a small one. It is also the body
   * handler of the exchange.
   *
   * <p>Why not wait for the future {@code sendAsync} returns: that one is completed through
   * {@code CompletableFuture}'s default executor, which with 2 or fewer CPUs is a new thread per
   * task (the common pool needs a parallelism of 2): one thread created and destroyed per shard
   * request, about 200 µs of CPU each, and one more hand-off. Once this future has an answer it
   * completes the exchange's future itself, so that the client has nothing left to hand off.
   */
  private static final class Answer extends CompletableFuture<UpstreamResponse> implements BodyHandler<Void> {
    private volatile CompletableFuture<HttpResponse<Void>> exchange;

    void started(CompletableFuture<HttpResponse<Void>> exchange) {
      this.exchange = exchange;
      exchange.whenComplete(
          (ignored, failure) -> {
            if (failure != null) {
              completeExceptionally(failure);
            }
          });
      if (isDone()) {
        detach(exchange); // the answer came before sendAsync returned
      }
    }

    @Override
    public BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
      long length = info.headers().firstValueAsLong("content-length").orElse(-1);
      if (length >= 0 && length <= BUFFERED_BODY_BYTES) {
        return new WholeBody(info);
      }
      BodySubscriber<InputStream> stream = BodySubscribers.ofInputStream();
      // An InputStream subscriber's body is there at once; reads block until bytes arrive.
      stream.getBody().thenAccept(body -> answer(new JdkResponse(info, body)));
      return BodySubscribers.mapping(stream, body -> null);
    }

    /**
     * Reads a small body whole, then answers; only then tells the client the body is done, so
     * that the answer (and {@link #detach}) comes before the client completes the exchange.
     */
    private final class WholeBody implements BodySubscriber<Void> {
      private final BodySubscriber<byte[]> bytes = BodySubscribers.ofByteArray();
      private final CompletableFuture<Void> done = new CompletableFuture<>();

      WholeBody(HttpResponse.ResponseInfo info) {
        bytes.getBody().whenComplete(
            (body, failure) -> {
              if (failure != null) {
                completeExceptionally(failure);
                done.completeExceptionally(failure);
              } else {
                answer(new JdkResponse(info, new ByteArrayInputStream(body)));
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

    private void answer(JdkResponse response) {
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

    /** Cancelling it cancels the exchange first (a dependent future would not reach it). */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      CompletableFuture<HttpResponse<Void>> started = exchange;
      if (started != null) {
        started.cancel(true);
      }
      return super.cancel(mayInterruptIfRunning);
    }
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
   * Stops the worker threads and lets go of the clients. Their selector threads end at once on
   * Java 21 and later ({@code HttpClient.shutdownNow}), on Java 17 once the clients are collected.
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
          for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
            store.setCertificateEntry("ca-" + index++, certificate);
          }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        trustManagers = factory.getTrustManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trustManagers, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS with CA file " + tls.caFile() + ": " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the connection is being dropped anyway
    }
  }

  private static final class JdkResponse implements UpstreamResponse {
    private final int status;
    private final Map<String, List<String>> headers;
    private final InputStream body;

    JdkResponse(HttpResponse.ResponseInfo info, InputStream body) {
      this.status = info.statusCode();
      Map<String, List<String>> lower = new TreeMap<>();
      info.headers().map().forEach((name, values) -> lower.put(name.toLowerCase(Locale.ROOT), values));
      this.headers = Map.copyOf(lower);
      this.body = body;
    }

    @Override
    public int status() {
      return status;
    }

    @Override
    public Map<String, List<String>> headers() {
      return headers;
    }

    @Override
    public InputStream body() {
      return body;
    }

    @Override
    public void close() {
      closeQuietly(body);
    }
  }

  /**
   * For {@code insecureSkipVerify}: an extended trust manager, so the JDK also skips its host
   * name check (which it delegates to extended trust managers).
   */
  private static final class TrustEverything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

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
