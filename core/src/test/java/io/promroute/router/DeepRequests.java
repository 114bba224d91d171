package io.promroute.router;

import io.promroute.shard.ShardRewriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Sends long operator chains and deep nestings through the whole engine (parse, route and rewrite,
 * plan, print for the shards, evaluate across shards, format and parse endpoints), each request
 * started on a fresh thread with the default stack, as a container's thread would; prints one line
 * per request: its status and the start of its body. Run by {@link ColdJvmDeepRequestTest} in a
 * fresh JVM without JIT ({@code -Xint}), where every frame is as large as it gets.
 */
public final class DeepRequests {

  private DeepRequests() {}

  static final int CHAIN = 20_000;
  static final int NESTING = 1_000;

  /** The queries, by name, with the endpoints each is sent to. */
  static Map<String, Map.Entry<String, List<String>>> queries() {
    List<String> all =
        List.of(
            "/api/v1/query", "/api/v1/query_range", "/api/v1/format_query", "/api/v1/parse_query");
    // format_query's answer of a long chain grows with the square of its length (each operand is
    // indented by its depth, as Prometheus's prettier does): its chain is shorter.
    List<String> noFormat = List.of("/api/v1/query", "/api/v1/query_range", "/api/v1/parse_query");
    Map<String, Map.Entry<String, List<String>>> queries = new java.util.LinkedHashMap<>();
    queries.put("or-chain", Map.entry("x" + " or x".repeat(CHAIN - 1), noFormat));
    queries.put(
        "single-shard-chain",
        Map.entry("x{cluster=\"a\"}" + " + x{cluster=\"a\"}".repeat(CHAIN - 1), noFormat));
    queries.put("cross-shard-chain", Map.entry("sum(x)" + " + sum(x)".repeat(CHAIN - 1), noFormat));
    queries.put("number-chain", Map.entry("1" + " + 1".repeat(CHAIN - 1), noFormat));
    queries.put("short-chain", Map.entry("sum(x)" + " / sum(x)".repeat(1_999), all));
    queries.put("unary-chain", Map.entry("-".repeat(NESTING - 1) + "x", all));
    queries.put(
        "nested-calls", Map.entry("abs(".repeat(NESTING - 1) + "x" + ")".repeat(NESTING - 1), all));
    queries.put(
        "nested-parens",
        Map.entry("(".repeat(NESTING - 2) + "sum(x)" + ")".repeat(NESTING - 2), all));
    queries.put(
        "too-deep", Map.entry("abs(".repeat(NESTING + 1) + "x" + ")".repeat(NESTING + 1), all));
    return queries;
  }

  /** Every shard answers an empty result of the type asked. */
  private static final class EmptyShards implements UpstreamClient {
    @Override
    public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
      String type = request.uri().getPath().endsWith("query_range") ? "matrix" : "vector";
      return CompletableFuture.completedFuture(
          new InMemoryResponse(
              200,
              "{\"status\":\"success\",\"data\":{\"resultType\":\"" + type + "\",\"result\":[]}}"));
    }
  }

  public static void main(String[] args) throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(2);
    ShardRewriter rewriter =
        ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b")).build();
    Engine engine =
        new Engine(
            new Router(Routing.of(rewriter), "cluster", List.of("a", "b")),
            "cluster",
            Map.of(
                "a",
                ShardTarget.of(URI.create("http://a.invalid")),
                "b",
                ShardTarget.of(URI.create("http://b.invalid"))),
            new EmptyShards(),
            "",
            Duration.ofMinutes(5),
            false,
            Set.of(),
            1 << 20,
            executor,
            true,
            50_000_000,
            1_000_000,
            false,
            Map::of,
            64L << 20,
            java.time.Duration.ZERO);
    for (Map.Entry<String, Map.Entry<String, List<String>>> query : queries().entrySet()) {
      for (String endpoint : query.getValue().getValue()) {
        System.out.println(
            query.getKey()
                + " "
                + endpoint
                + " "
                + outcome(engine, endpoint, query.getValue().getKey()));
      }
    }
    engine.shutdown();
  }

  static String outcome(Engine engine, String endpoint, String query) throws InterruptedException {
    String form =
        "query="
            + URLEncoder.encode(query, StandardCharsets.UTF_8)
            + (endpoint.endsWith("query_range")
                ? "&start=1700000000&end=1700000060&step=30"
                : "&time=1700000000");
    RecordedResponse response = new RecordedResponse();
    Throwable[] thrown = new Throwable[1];
    // A fresh thread with the default stack, as a container's request thread.
    Thread request =
        new Thread(
            () -> {
              try {
                engine.exchange(TestRequest.post(endpoint, form), response).start();
              } catch (Throwable t) {
                thrown[0] = t;
              }
            });
    request.start();
    request.join();
    if (thrown[0] != null) {
      return "threw " + thrown[0];
    }
    if (!response.ended.await(5, TimeUnit.MINUTES)) {
      return "no answer";
    }
    String body = response.body.toString(StandardCharsets.UTF_8);
    return response.status + " " + body.substring(0, Math.min(body.length(), 200));
  }
}
