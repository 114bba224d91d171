package io.promroute.standalone;

import io.promroute.router.ShardTarget;
import io.promroute.router.UpstreamClient;
import io.promroute.router.UpstreamRequest;
import io.promroute.router.UpstreamResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Connection;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * {@link UpstreamClient} on Jetty 12's {@code HttpClient}, the standalone router's default ({@code
 * -Dpromroute.upstream.client=jdk} gives the JDK's instead; see {@link #fromSystemProperty}): it
 * spends 30 to 50 % less CPU per shard request (benchmarks/PROXY.md). HTTP/1.1, no redirects, no
 * {@code Accept-Encoding} or {@code User-Agent} of its own, one client per distinct TLS setting (CA
 * file or insecureSkipVerify).
 *
 * <p>The body streams through {@link InputStreamResponseListener}, whose buffer is bounded by the
 * connection's flow (Jetty reads the next chunk only when the previous one is consumed), so large
 * answers keep bounded memory. The future completes on Jetty's thread at the response headers, or,
 * for an answer of at most 32 KiB with a Content-Length, once it is all in memory.
 *
 * <p>Failures are given as the filter classifies the JDK client's: no complete answer within the
 * request's timeout is an {@link HttpTimeoutException} (504), a connect timeout an {@link
 * HttpConnectTimeoutException}, a refused connection Jetty's {@code ConnectException} (502).
 */
final class JettyUpstreamClient implements UpstreamClient, AutoCloseable {

  /** The system property that selects the standalone router's upstream client. */
  static final String PROPERTY = "promroute.upstream.client";

  // Jetty sets these itself; the filter never sends them anyway.
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding");

  // As JdkUpstreamClient: answers up to this size are read whole before the future completes.
  private static final int SMALL_ANSWER_BYTES = 32 * 1024;

  // How long a pooled connection may stay unused. During an exchange the request's own deadline
  // applies instead: a shard computing a long query sends nothing until its answer is ready.
  private static final Duration IDLE_CONNECTION_TIMEOUT = Duration.ofSeconds(30);

  private final Duration connectTimeout;
  private final Duration idleConnectionTimeout;
  // Jetty's client writes a request's line and headers into one buffer of the client's request
  // buffer size and refuses a request that does not fit (IllegalArgumentException "Request header
  // too large"), where Prometheus accepts Go's 1 MiB. A long GET query (a dashboard's regex over
  // a thousand hosts) is such a request: it goes through a second client whose buffer holds what
  // the router's own server accepts, twice over for what the rewrite may add. The buffer is
  // allocated per request, so the clients of ordinary requests keep Jetty's small one.
  private static final int REQUEST_BUFFER_BYTES = 4 * 1024;
  private static final int LARGE_REQUEST_BUFFER_BYTES = 2 * RouterConnectors.MAX_HEADER_BYTES;

  /** One HTTP client per TLS setting and request buffer size. */
  private record ClientKey(ShardTarget.Tls tls, int requestBufferBytes) {}

  private final ConcurrentMap<ClientKey, HttpClient> clients = new ConcurrentHashMap<>();
  private volatile boolean closed;

  JettyUpstreamClient(Duration connectTimeout) {
    this(connectTimeout, IDLE_CONNECTION_TIMEOUT);
  }

  JettyUpstreamClient(Duration connectTimeout, Duration idleConnectionTimeout) {
    this.connectTimeout = connectTimeout;
    this.idleConnectionTimeout = idleConnectionTimeout;
  }

  /**
   * The client named by {@code -Dpromroute.upstream.client}: {@code jetty} (the default) or {@code
   * jdk}.
   *
   * @throws IllegalArgumentException for another value
   */
  static UpstreamClient fromSystemProperty() {
    String name = System.getProperty(PROPERTY, "jetty").trim().toLowerCase(Locale.ROOT);
    switch (name) {
      case "jdk":
        return UpstreamClient.jdk();
      case "jetty":
      case "":
        return new JettyUpstreamClient(Duration.ofSeconds(10));
      default:
        throw new IllegalArgumentException(
            "-D" + PROPERTY + "=" + name + ": expected jdk or jetty");
    }
  }

  @Override
  public CompletableFuture<UpstreamResponse> send(UpstreamRequest upstream) {
    HttpClient client;
    try {
      int buffer =
          requestHeadBytes(upstream) <= REQUEST_BUFFER_BYTES
              ? REQUEST_BUFFER_BYTES
              : LARGE_REQUEST_BUFFER_BYTES;
      client =
          clients.computeIfAbsent(new ClientKey(upstream.target().tls(), buffer), this::newClient);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Answer answer = new Answer(client, () -> newRequest(client, upstream));
    answer.timer =
        client
            .getScheduler()
            .schedule(
                () -> answer.expire(upstream.timeout()),
                upstream.timeout().toNanos(),
                TimeUnit.NANOSECONDS);
    answer.attempt();
    return answer;
  }

  private static UpstreamResponse response(Response response, InputStream body) {
    Map<String, List<String>> headers = new HashMap<>();
    for (HttpField field : response.getHeaders()) {
      headers.computeIfAbsent(field.getName(), name -> new ArrayList<>()).add(field.getValue());
    }
    return UpstreamResponse.of(response.getStatus(), headers, body);
  }

  /** An upper bound of the request line and headers Jetty writes for {@code upstream}, in bytes. */
  static int requestHeadBytes(UpstreamRequest upstream) {
    long bytes =
        512 + upstream.uri().toString().length(); // method, version, Host, Content-Length...
    for (Map.Entry<String, List<String>> header : upstream.headers().entrySet()) {
      for (String value : header.getValue()) {
        // Jetty writes a header's UTF-8 bytes: up to three per char.
        bytes += 4 + 3L * (header.getKey().length() + value.length());
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }

  private static Request newRequest(HttpClient client, UpstreamRequest upstream) {
    Request request =
        client
            .newRequest(upstream.uri())
            .method(upstream.method().equals("POST") ? HttpMethod.POST : HttpMethod.GET)
            .idleTimeout(upstream.timeout().toMillis(), TimeUnit.MILLISECONDS);
    request.headers(
        headers ->
            upstream
                .headers()
                .forEach(
                    (name, values) -> {
                      if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                        values.forEach(value -> headers.add(name, value));
                      }
                    }));
    if (upstream.method().equals("POST")) {
      String type =
          upstream.headers().entrySet().stream()
              .filter(
                  entry ->
                      entry.getKey().equalsIgnoreCase("content-type")
                          && !entry.getValue().isEmpty())
              .map(entry -> entry.getValue().get(0))
              .findFirst()
              .orElse("application/x-www-form-urlencoded");
      request.body(new BytesRequestContent(type, upstream.body()));
    }
    return request;
  }

  /**
   * The caller's future; cancelling it aborts the exchange. The request's timeout is a deadline for
   * the whole exchange, headers and body: when it passes, whatever is still missing fails (the
   * future, or the reads of the body) and the connection is closed.
   */
  private static final class Answer extends CompletableFuture<UpstreamResponse> {
    private final HttpClient client;
    private final Supplier<Request> requests;
    private volatile Request request;
    private volatile boolean headersSeen;
    private volatile Connection fresh;
    private int attempts;
    volatile Scheduler.Task timer;

    Answer(HttpClient client, Supplier<Request> requests) {
      this.client = client;
      this.requests = requests;
    }

    void attempt() {
      attempts++;
      Request next = requests.get();
      request = next;
      if (isDone()) {
        return; // cancelled or expired meanwhile
      }
      if (attempts == 1) {
        next.send(new Listener());
        return;
      }
      // Again, on a connection of its own: the pool may hold more connections the shard closed.
      client
          .resolveDestination(next)
          .newConnection()
          .whenComplete(
              (connection, failure) -> {
                if (failure != null) {
                  stopTimer();
                  completeExceptionally(translate(failure));
                } else {
                  fresh = connection;
                  connection.send(next, new Listener());
                }
              });
    }

    private void closeFresh() {
      Connection connection = fresh;
      if (connection != null) {
        connection.close();
      }
    }

    void expire(Duration timeout) {
      HttpTimeoutException failure =
          new HttpTimeoutException("no complete answer within " + timeout);
      completeExceptionally(failure);
      request.abort(failure); // fails the reads of a body that is streaming
    }

    private void stopTimer() {
      Scheduler.Task task = timer;
      if (task != null) {
        task.cancel();
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      stopTimer();
      request.abort(new CancellationException("the caller cancelled the request"));
      return cancelled;
    }

    /**
     * Streams the body through the superclass, except a small answer with a Content-Length
     * (Prometheus sends one for answers under a few KB): that one is read whole before the future
     * completes, so the filter answers on this thread instead of handing the copy to another that
     * would block on the stream (as the JDK client does, see {@code JdkUpstreamClient}).
     */
    private final class Listener extends InputStreamResponseListener {
      private Response small;
      private byte[] buffer;
      private int length;

      @Override
      public void onHeaders(Response response) {
        headersSeen = true;
        long size = response.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (size >= 0 && size <= SMALL_ANSWER_BYTES) {
          small = response;
          buffer = new byte[(int) size];
          return;
        }
        super.onHeaders(response);
        UpstreamResponse answer = response(response, getInputStream());
        if (!complete(answer)) {
          answer.close(); // the caller gave up (or timed out) before the headers came
        }
      }

      @Override
      public void onContent(Response response, Content.Chunk chunk, Runnable demander) {
        if (small == null) {
          super.onContent(response, chunk, demander);
          return;
        }
        ByteBuffer bytes = chunk.getByteBuffer().duplicate();
        int count =
            Math.min(bytes.remaining(), buffer.length - length); // never past the declared length
        bytes.get(buffer, length, count);
        length += count;
        demander.run();
      }

      @Override
      public void onSuccess(Response response) {
        if (small == null) {
          super.onSuccess(response);
        }
      }

      @Override
      public void onFailure(Response response, Throwable failure) {
        if (small == null) {
          super.onFailure(response, failure);
        }
      }

      @Override
      public void onComplete(Result result) {
        if (small == null) {
          super.onComplete(result);
        }
        closeFresh(); // a connection outside the pool is not reused
        if (result.isFailed()) {
          if (!headersSeen && attempts == 1 && !isDone() && diedBeforeAnswer(result.getFailure())) {
            attempt(); // the connection died before any byte of the answer: once more, on another
            return;
          }
          stopTimer();
          completeExceptionally(translate(result.getFailure()));
        } else {
          stopTimer();
          if (small != null) {
            complete(response(small, new ByteArrayInputStream(buffer, 0, length)));
          }
        }
      }
    }
  }

  /**
   * Whether a request failed because its connection closed before any byte of the answer came: what
   * a shard closing an idle keep-alive connection just as it is reused looks like. Every request of
   * the Prometheus API the router sends is a read, safe to send again; timeouts, refused
   * connections and cancellations are not retried.
   */
  private static boolean diedBeforeAnswer(Throwable failure) {
    return failure instanceof java.io.EOFException
        || failure instanceof java.nio.channels.ClosedChannelException
        || (failure instanceof IOException
            && !(failure instanceof HttpTimeoutException)
            && String.valueOf(failure.getMessage()).contains("Connection reset"));
  }

  private static Throwable translate(Throwable failure) {
    if (failure instanceof org.eclipse.jetty.client.HttpResponseException) {
      // Not HTTP, or HTTP Jetty refuses; the message names addresses, which must not reach a
      // client.
      java.net.ProtocolException protocol =
          new java.net.ProtocolException("the shard's answer is not valid HTTP");
      protocol.initCause(failure);
      return protocol;
    }
    if (failure instanceof SocketTimeoutException
        && String.valueOf(failure.getMessage()).contains("Connect")) {
      HttpConnectTimeoutException timeout = new HttpConnectTimeoutException("connect timed out");
      timeout.initCause(failure);
      return timeout;
    }
    return failure;
  }

  private HttpClient newClient(ClientKey key) {
    ShardTarget.Tls tls = key.tls();
    if (closed) {
      throw new IllegalStateException("the upstream client is closed");
    }
    SslContextFactory.Client ssl = new SslContextFactory.Client();
    if (tls.insecureSkipVerify()) {
      ssl.setTrustAll(true);
      ssl.setEndpointIdentificationAlgorithm(null);
    } else if (tls.caFile() != null) {
      ssl.setTrustStore(trustStore(tls));
    }
    HttpClient client = new HttpClient();
    client.setRequestBufferSize(key.requestBufferBytes());
    // The listeners below never block (a streamed body is read by the engine's threads, from the
    // listener's queue), so Jetty may call them on its selector thread: a shard answer then
    // costs no hand-off to a pool thread and back.
    client.getHttpClientTransport().setInvocationType(Invocable.InvocationType.NON_BLOCKING);
    client.setSslContextFactory(ssl);
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("promroute-upstream");
    threads.setDaemon(true);
    client.setExecutor(threads);
    client.setScheduler(new ScheduledExecutorScheduler("promroute-upstream-scheduler", true));
    client.setFollowRedirects(false);
    client.setConnectTimeout(connectTimeout.toMillis());
    client.setIdleTimeout(idleConnectionTimeout.toMillis());
    client.setUserAgentField((HttpField) null);
    client.setMaxConnectionsPerDestination(256);
    client.setMaxRequestsQueuedPerDestination(4096);
    try {
      client.start();
      // After start, which adds gzip when there is none: no Accept-Encoding, so the shard does
      // not spend CPU compressing what the router would have to inflate again.
      client.getContentDecoderFactories().clear();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start Jetty's HttpClient: " + e.getMessage(), e);
    }
    return client;
  }

  private static KeyStore trustStore(ShardTarget.Tls tls) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      try (InputStream in = Files.newInputStream(tls.caFile())) {
        int index = 0;
        for (Certificate certificate :
            CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          store.setCertificateEntry("ca-" + index++, certificate);
        }
      }
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot set up TLS with CA file " + tls.caFile() + ": " + e.getMessage(), e);
    }
  }

  /** Stops every client; later requests fail. */
  @Override
  public void close() {
    closed = true;
    List<HttpClient> stopping = new ArrayList<>(clients.values());
    clients.clear();
    for (HttpClient client : stopping) {
      try {
        client.stop();
      } catch (Exception e) {
        // stopping anyway: nothing else to release
      }
    }
  }
}
