package io.promroute.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.api.Endpoint;
import io.promroute.shard.ShardRewriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A query the router computes from its shards' answers is planned once per query text, with the
 * remembered routing: a dashboard's refresh reuses the plan with its own evaluation times.
 */
class CrossShardPlanCacheTest {

  private final Routing routing =
      Routing.of(ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b")).build());

  private static Route route(Router router, Endpoint endpoint, String urlQuery) {
    return router.route(endpoint, null, Params.of(urlQuery, null));
  }

  @Test
  void aRepeatedCrossShardQueryReusesItsPlanWithItsOwnTimes() {
    Router router = new Router(routing, "cluster", List.of("a", "b"));

    Route first = route(router, Endpoint.QUERY, "query=sum(rate(x%5B5m%5D))&time=5");
    Route again = route(router, Endpoint.QUERY, "query=sum(rate(x%5B5m%5D))&time=65");
    Route range =
        route(router, Endpoint.QUERY_RANGE, "query=sum(rate(x%5B5m%5D))&start=0&end=600&step=60");

    assertThat(again.crossShard().plan()).isSameAs(first.crossShard().plan());
    assertThat(range.crossShard().plan()).isSameAs(first.crossShard().plan());
    assertThat(again.crossShard().start()).isEqualTo(65_000);
    assertThat(again.calls().get(0).params().first("time")).isEqualTo("65");
    assertThat(range.crossShard().range()).isTrue();
    assertThat(range.calls().get(0).params().first("query")).isEqualTo("sum(rate(x[5m]))");
  }

  @Test
  void theRememberedPlanIsTheOneOfEachRoutersSettings() {
    String query = "query=sum(x)&time=5";
    Route partials =
        route(
            new Router(routing, "cluster", List.of("a", "b"), true, false), Endpoint.QUERY, query);
    Route exact =
        route(new Router(routing, "cluster", List.of("a", "b"), true, true), Endpoint.QUERY, query);
    Route partialsAgain =
        route(
            new Router(routing, "cluster", List.of("a", "b"), true, false), Endpoint.QUERY, query);

    assertThat(partials.calls().get(0).params().first("query")).isEqualTo("sum(x)");
    assertThat(exact.calls().get(0).params().first("query")).isEqualTo("x");
    assertThat(partialsAgain.calls().get(0).params().first("query")).isEqualTo("sum(x)");
  }
}
