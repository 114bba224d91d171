package io.promroute.standalone;

import io.promroute.router.Engine;
import io.promroute.router.UpstreamClient;
import io.promroute.router.UpstreamRequest;
import io.promroute.router.UpstreamResponse;
import io.promroute.servlet.RouterConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Hand-written stand-ins for the shards (an upstream client) and for a configuration the routing
 * code refuses, so that the router's own machinery (reload, metrics, access log, shutdown) is
 * tested without real shards.
 */
final class FakeShards {

  private FakeShards() {}

  /**
   * A client whose every shard answers 200 with an empty vector; after 700 ms when the query
   * mentions {@code slow}.
   */
  static final class OkClient implements UpstreamClient {
    @Override
    public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
      Response empty =
          new Response(
              200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
      if (request.uri().toString().contains("slow")) {
        return CompletableFuture.supplyAsync(
            () -> empty,
            CompletableFuture.delayedExecutor(700, java.util.concurrent.TimeUnit.MILLISECONDS));
      }
      return CompletableFuture.completedFuture(empty);
    }
  }

  record Response(int status, String text) implements UpstreamResponse {
    @Override
    public Map<String, List<String>> headers() {
      return Map.of("content-type", List.of("application/json"));
    }

    @Override
    public InputStream body() {
      return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {}
  }

  /**
   * The real engine for {@code config}, except that a shard key {@code refused} stands for a
   * configuration the routing code refuses.
   */
  static Engine create(RouterConfig config, UpstreamClient client) {
    if (config.shards().containsKey("refused")) {
      throw new IllegalArgumentException("shard key \"refused\" is refused by the fake factory");
    }
    return RouterEngines.create(config, client);
  }
}
