package io.promroute.router;

import io.promroute.promql.PromQLParseException;
import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.AggregateOp;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.VectorSelector;
import io.promroute.shard.ShardRoutingException;
import io.promroute.shard.ShardedQuery;
import io.promroute.shard.ShardedQuery.Execution;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A hand-written routing over shards a and b with label {@code cluster}: a table of the queries the
 * tests send and what core's rewriter answers for them.
 */
public final class FakeRouting implements Routing {

  private static final Expr UP = new VectorSelector("up", List.of());
  private final Map<String, Supplier<ShardedQuery>> table = new HashMap<>();

  public FakeRouting() {
    table.put(
        "up{cluster=\"a\"}", () -> routed(List.of("a"), UP, "up", true, Execution.SINGLE_SHARD));
    table.put(
        "up{cluster=\"b\"}", () -> routed(List.of("b"), UP, "up", true, Execution.SINGLE_SHARD));
    table.put("up", () -> routed(List.of("a", "b"), UP, "up", true, Execution.CONCATENATE));
    table.put(
        "up{cluster=~\"a|b\"}",
        () -> routed(List.of("a", "b"), UP, "up", true, Execution.CONCATENATE));
    table.put(
        "sum(up)",
        () ->
            routed(
                List.of("a", "b"),
                new AggregateExpr(AggregateOp.SUM, UP, null, false, List.of()),
                "sum(up)",
                false,
                Execution.CROSS_SHARD_MERGE));
    table.put(
        "sum by (job) (up)",
        () ->
            routed(
                List.of("a", "b"),
                new AggregateExpr(AggregateOp.SUM, UP, null, false, List.of("job")),
                "sum by (job) (up)",
                false,
                Execution.CROSS_SHARD_MERGE));
    table.put(
        "sort_desc(rate(up[5m]))",
        () ->
            routed(
                List.of("a", "b"),
                io.promroute.promql.PromQL.parse("sort_desc(rate(up[5m]))"),
                "sort_desc(rate(up[5m]))",
                true,
                Execution.CONCATENATE_IF_RANGE));
    table.put(
        "1+1",
        () ->
            routed(
                List.of("a", "b"),
                new NumberLiteral(2, false),
                "1 + 1",
                false,
                Execution.CROSS_SHARD_MERGE));
    table.put(
        "up{cluster=\"zzz\"}",
        () ->
            new ShardedQuery(
                "cluster",
                List.of(),
                UP,
                "up{cluster=\"zzz\"}",
                false,
                Execution.NONE,
                List.of("no shard has cluster=\"zzz\" (known shards: a, b)")));
    table.put(
        "up{",
        () -> {
          throw new PromQLParseException("unexpected end of input inside braces", 1, 4, 3, 3);
        });
    table.put(
        "up{cluster=\"a\"} + up{cluster=\"b\"}",
        () -> {
          throw new ShardRoutingException(
              ShardRoutingException.Reason.CONFLICTING_SHARDS,
              "query selects conflicting shards: cluster=\"a\" and cluster=\"b\"");
        });
  }

  private static ShardedQuery routed(
      List<String> shards, Expr expr, String query, boolean add, Execution execution) {
    return new ShardedQuery("cluster", shards, expr, query, add, execution, List.of());
  }

  @Override
  public ShardedQuery rewrite(String query) {
    Supplier<ShardedQuery> routed = table.get(query);
    if (routed == null) {
      throw new AssertionError("FakeRouting has no entry for " + query);
    }
    return routed.get();
  }

  @Override
  public ShardedQuery rewriteSelector(String matchSelector) {
    return rewrite(matchSelector);
  }

  @Override
  public io.promroute.promql.ast.VectorSelector parseSelector(String matchSelector) {
    return io.promroute.promql.PromQL.parseSelector(matchSelector);
  }

  @Override
  public Expr parse(String query) {
    return io.promroute.promql.PromQL.parse(query);
  }
}
