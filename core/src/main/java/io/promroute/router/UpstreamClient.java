package io.promroute.router;

import java.util.concurrent.CompletableFuture;

/**
 * Sends a request to a shard's Prometheus. The default, {@link #jdk()}, uses the JDK's {@code
 * java.net.http.HttpClient}; plug in Jetty's or Apache's client by implementing this.
 *
 * <p>Implementations must be thread-safe and must complete the future as soon as the response's
 * status and headers have arrived, leaving the body to be streamed from {@link
 * UpstreamResponse#body()}. Cancelling the future, or closing the response, aborts the exchange.
 * The request's timeout is a deadline for the whole exchange: when it passes, a future not yet
 * complete completes exceptionally with {@link java.net.http.HttpTimeoutException} (or a subclass
 * of {@link java.util.concurrent.TimeoutException}), and reads of a body not yet complete fail with
 * an {@link java.io.IOException} (the same {@code HttpTimeoutException} for the clients here),
 * never with a normal end. Redirects are not followed. A request whose connection turns out closed
 * before any byte of the answer arrived (a shard closing an idle keep-alive connection as it is
 * reused) should be sent once more on a new connection: every request the router sends is an
 * idempotent read.
 */
public interface UpstreamClient {

  /**
   * Sends a request; must not block on the network.
   *
   * @param request the request, with its deadline
   * @return a future completed with the response as soon as its status and headers arrived (any
   *     status, a 5xx included), or exceptionally when the shard cannot be reached, the exchange
   *     failed or the deadline passed
   */
  CompletableFuture<UpstreamResponse> send(UpstreamRequest request);

  /**
   * The default client on {@code java.net.http.HttpClient}, shared by all shards: HTTP/1.1, a 10
   * second connect timeout, no redirects, TLS per {@link ShardTarget.Tls}.
   *
   * @return a new client
   */
  static UpstreamClient jdk() {
    return jdk(java.time.Duration.ofSeconds(10));
  }

  /**
   * {@link #jdk()} with another connect timeout.
   *
   * @param connectTimeout how long opening a connection to a shard may take
   * @return a new client
   * @throws NullPointerException if {@code connectTimeout} is null
   */
  static UpstreamClient jdk(java.time.Duration connectTimeout) {
    return new JdkUpstreamClient(
        java.util.Objects.requireNonNull(connectTimeout, "connectTimeout is null"));
  }
}
