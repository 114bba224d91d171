package io.promroute.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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

  private final Duration connectTimeout;
  private final ConcurrentMap<ShardTarget.Tls, HttpClient> clients = new ConcurrentHashMap<>();

  JdkUpstreamClient(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
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
    CompletableFuture<HttpResponse<InputStream>> exchange =
        client.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
    Answer answer = new Answer(exchange);
    exchange.whenComplete(
        (response, failure) -> {
          if (failure != null) {
            answer.completeExceptionally(failure);
          } else if (!answer.complete(new JdkResponse(response))) {
            closeQuietly(response.body()); // the caller gave up before the headers came
          }
        });
    return answer;
  }

  /** Cancelling it cancels the exchange first (a dependent future would not reach it). */
  private static final class Answer extends CompletableFuture<UpstreamResponse> {
    private final CompletableFuture<HttpResponse<InputStream>> exchange;

    Answer(CompletableFuture<HttpResponse<InputStream>> exchange) {
      this.exchange = exchange;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      exchange.cancel(true);
      return super.cancel(mayInterruptIfRunning);
    }
  }

  private HttpClient newClient(ShardTarget.Tls tls) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(connectTimeout);
    if (tls.caFile() != null || tls.insecureSkipVerify()) {
      builder.sslContext(sslContext(tls));
    }
    return builder.build();
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
    private final HttpResponse<InputStream> response;
    private final Map<String, List<String>> headers;

    JdkResponse(HttpResponse<InputStream> response) {
      this.response = response;
      Map<String, List<String>> lower = new TreeMap<>();
      response.headers().map().forEach((name, values) -> lower.put(name.toLowerCase(Locale.ROOT), values));
      this.headers = Map.copyOf(lower);
    }

    @Override
    public int status() {
      return response.statusCode();
    }

    @Override
    public Map<String, List<String>> headers() {
      return headers;
    }

    @Override
    public InputStream body() {
      return response.body();
    }

    @Override
    public void close() {
      closeQuietly(response.body());
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
