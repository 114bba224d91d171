package io.promroute.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.api.Endpoint;
import io.promroute.shard.ShardRewriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A query that every shard evaluates over its own series gets its operations between vectors
 * guarded (io.promroute.shard.EmptySideGuard); the guarded shard query is worked out once per query
 * text, with the remembered routing, not on every request.
 */
class GuardedFanOutTest {

  private static final String DIVISION = "query=x+%2F+y&time=5"; // x / y

  private final Routing routing =
      Routing.of(ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b")).build());

  private static Route plan(Router router, String urlQuery) {
    return router.route(Endpoint.QUERY, null, Params.of(urlQuery, null));
  }

  private static String shardQuery(Route plan, int call) {
    return plan.calls().get(call).params().first("query");
  }

  @Test
  void aRepeatedQueryIsSentGuardedAsTheFirstWasWithoutBeingPrintedAgain() {
    ShardRewriter rewriter =
        ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b")).build();
    sentGuardedOnceWorkedOut(new Router(routing, "cluster", List.of("a", "b")));
    // The routing that follows the shards' dialect remembers as each of its rewriters does.
    sentGuardedOnceWorkedOut(
        new Router(
            Routing.following(rewriter, rewriter, () -> true), "cluster", List.of("a", "b")));
  }

  private static void sentGuardedOnceWorkedOut(Router router) {
    Route first = plan(router, DIVISION);
    Route repeated = plan(router, DIVISION);

    assertThat(first.guarded()).isTrue();
    assertThat(first.combine()).isEqualTo(Route.Combine.MERGE);
    assertThat(shardQuery(first, 0))
        .isEqualTo(
            "(x or on () label_replace(vector(0), \"__promroute_empty_side__\","
                + " \"promroute:empty-side\", \"\", \"\")) / y")
        .isEqualTo(shardQuery(first, 1));
    assertThat(repeated.guarded()).isTrue();
    // The very text of the first request: remembered with its routing, not guarded and printed
    // anew.
    assertThat(shardQuery(repeated, 0)).isSameAs(shardQuery(first, 0));
    assertThat(shardQuery(repeated, 1)).isSameAs(shardQuery(first, 0));
  }

  @Test
  void theRememberedGuardIsTheOneOfEachRoutersShardLabel() {
    // on (job, cluster): the guard series sets the shard label when the operation matches on it,
    // else the first label matched on; two routers over one routing must not share their guards.
    String query = "query=x+%2F+on+(job%2C+cluster)+y&time=5";
    Route byCluster = plan(new Router(routing, "cluster", List.of("a", "b")), query);
    Route byRegion = plan(new Router(routing, "region", List.of("a", "b")), query);
    Route byClusterAgain = plan(new Router(routing, "cluster", List.of("a", "b")), query);

    assertThat(shardQuery(byCluster, 0))
        .contains("label_replace(vector(0), \"cluster\", \"promroute:empty-side\"");
    assertThat(shardQuery(byRegion, 0))
        .contains("label_replace(vector(0), \"job\", \"promroute:empty-side\"");
    assertThat(shardQuery(byClusterAgain, 0)).isEqualTo(shardQuery(byCluster, 0));
    assertThat(List.of(byCluster, byRegion, byClusterAgain)).allMatch(Route::guarded);
  }

  @Test
  void aQueryWithNothingToGuardIsSentAsRoutedAndNotGuarded() {
    Router router = new Router(routing, "cluster", List.of("a", "b"));

    for (int request = 0; request < 2; request++) {
      Route plan = plan(router, "query=rate(x%5B5m%5D)&time=5");

      assertThat(plan.guarded()).isFalse();
      assertThat(plan.calls()).hasSize(2);
      assertThat(shardQuery(plan, 0)).isEqualTo("rate(x[5m])");
    }
  }

  @Test
  void aRoutingThatRemembersNothingGetsTheSameGuardedQuery() {
    ShardRewriter rewriter =
        ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b")).build();
    Routing forgetful =
        new Routing() {
          @Override
          public io.promroute.shard.ShardedQuery rewrite(String query) {
            return rewriter.rewrite(query);
          }

          @Override
          public io.promroute.shard.ShardedQuery rewriteSelector(String matchSelector) {
            return rewriter.rewriteSelector(matchSelector);
          }

          @Override
          public io.promroute.promql.ast.VectorSelector parseSelector(String matchSelector) {
            return io.promroute.promql.PromQL.parseSelector(matchSelector);
          }

          @Override
          public io.promroute.promql.ast.Expr parse(String query) {
            return io.promroute.promql.PromQL.parse(query);
          }
        };

    Route remembered = plan(new Router(routing, "cluster", List.of("a", "b")), DIVISION);
    Route forgotten = plan(new Router(forgetful, "cluster", List.of("a", "b")), DIVISION);

    assertThat(forgotten.guarded()).isTrue();
    assertThat(shardQuery(forgotten, 0)).isEqualTo(shardQuery(remembered, 0));
  }
}
