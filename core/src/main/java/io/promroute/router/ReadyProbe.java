package io.promroute.router;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A probe of a Prometheus server's {@code /-/ready}: whether, and what, it answers in time. */
final class ReadyProbe {

  private ReadyProbe() {}

  /**
   * Asks {@code base}'s {@code /-/ready} with the target's credentials and headers.
   *
   * @param base the server's base URL, without a trailing {@code /}
   * @return a future completed with the HTTP status the server answered (its body left unread), or
   *     exceptionally when it could not be reached or did not answer within {@code timeout}
   */
  static CompletableFuture<Integer> send(
      UpstreamClient client, String shard, ShardTarget target, String base, Duration timeout) {
    UpstreamRequest request =
        new UpstreamRequest(
            shard,
            target,
            "GET",
            URI.create(base + "/-/ready"),
            Headers.forTarget(Map.of(), target, false),
            new byte[0],
            timeout);
    CompletableFuture<UpstreamResponse> sent;
    try {
      sent = client.send(request);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.thenApply(
        response -> {
          response.close();
          return response.status();
        });
  }
}
