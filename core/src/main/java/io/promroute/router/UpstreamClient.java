package io.promroute.router;

import java.util.concurrent.CompletableFuture;

/**
 * Sends a request to a shard's Prometheus. The default, {@link #jdk()}, uses the JDK's
 * {@code java.net.http.HttpClient}; plug in Jetty's or Apache's client by implementing this.
 *
 * <p>Implementations must be thread-safe and must complete the future as soon as the response's
 * status and headers have arrived, leaving the body to be streamed from
 * {@link UpstreamResponse#body()}. Cancelling the future, or closing the response, aborts the
 * exchange. A timeout completes the future exceptionally with
 * {@link java.net.http.HttpTimeoutException} (or a subclass of {@link java.util.concurrent.TimeoutException}).
 */
public interface UpstreamClient {

  CompletableFuture<UpstreamResponse> send(UpstreamRequest request);

  /**
   * The default client on {@code java.net.http.HttpClient}, shared by all shards: HTTP/1.1, a
   * 10 second connect timeout, no redirects, TLS per {@link ShardTarget.Tls}.
   */
  static UpstreamClient jdk() {
    return jdk(java.time.Duration.ofSeconds(10));
  }

  /** {@link #jdk()} with another connect timeout. */
  static UpstreamClient jdk(java.time.Duration connectTimeout) {
    return new JdkUpstreamClient(java.util.Objects.requireNonNull(connectTimeout, "connectTimeout is null"));
  }
}
