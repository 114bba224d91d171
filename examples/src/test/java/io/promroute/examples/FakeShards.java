package io.promroute.examples;

import io.promroute.servlet.RouterConfig;
import io.promroute.router.UpstreamClient;
import io.promroute.router.UpstreamRequest;
import io.promroute.router.UpstreamResponse;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Hand-written stand-ins for the routing filter and the upstream client, so that the router's own
 * machinery (reload, metrics, access log, shutdown) is tested without the routing code or real
 * shards.
 */
final class FakeShards {

  private FakeShards() {}

  /** A client whose every shard answers 200 with an empty success body. */
  static final class OkClient implements UpstreamClient {
    @Override
    public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
      return CompletableFuture.completedFuture(new Response(200, "{\"status\":\"success\"}"));
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
   * Answers {@code /api/v1/query?query=<shard key>} by asking that shard through the client and
   * replying with the configuration's shard keys; {@code /api/v1/slow} after 700 ms; everything
   * else goes down the chain, as the real filter does.
   */
  static final class RouteFilter implements Filter {
    private final RouterConfig config;
    private final UpstreamClient client;

    RouteFilter(RouterConfig config, UpstreamClient client) {
      this.config = config;
      this.client = client;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      HttpServletRequest http = (HttpServletRequest) request;
      HttpServletResponse httpResponse = (HttpServletResponse) response;
      String path = http.getRequestURI();
      if (path.equals(config.pathPrefix() + "/api/v1/query")) {
        String shard = http.getParameter("query");
        if (config.shards().containsKey(shard)) {
          client.send(new UpstreamRequest(shard, config.shards().get(shard), "GET",
              config.shards().get(shard).baseUrl().resolve("/api/v1/query"), Map.of(), new byte[0],
              config.upstreamTimeout())).join().close();
        }
        write(httpResponse, "{\"status\":\"success\",\"shards\":\"" + String.join(",", config.shardKeys()) + "\"}");
      } else if (path.equals(config.pathPrefix() + "/api/v1/slow")) {
        try {
          Thread.sleep(700);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        write(httpResponse, "{\"status\":\"success\",\"slow\":true}");
      } else {
        chain.doFilter(request, response);
      }
    }

    private static void write(HttpServletResponse response, String json) throws IOException {
      response.setStatus(200);
      response.setContentType("application/json");
      response.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
    }
  }

  static Filter create(RouterConfig config, UpstreamClient client) {
    if (config.shards().containsKey("refused")) {
      // Stands for a configuration that the real routing code refuses.
      throw new IllegalArgumentException("shard key \"refused\" is refused by the fake filter");
    }
    return new RouteFilter(config, client);
  }
}
