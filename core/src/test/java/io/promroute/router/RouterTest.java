package io.promroute.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.api.ApiException;
import io.promroute.api.Endpoint;
import io.promroute.promql.ParserOptions;
import io.promroute.shard.ShardRewriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {

  private final Router router = new Router(new FakeRouting(), "cluster", List.of("a", "b"));

  private Route plan(Endpoint endpoint, String urlQuery) {
    return router.route(endpoint, null, Params.of(urlQuery, null));
  }

  @Test
  void queryWithOneShardIsOneCallWithTheRewrittenQueryInPlace() {
    Route plan = plan(Endpoint.QUERY, "time=5&query=up%7Bcluster%3D%22b%22%7D&stats=all");

    assertThat(plan.combine()).isEqualTo(Route.Combine.SINGLE);
    assertThat(plan.calls()).hasSize(1);
    assertThat(plan.calls().get(0).shard()).isEqualTo("b");
    assertThat(plan.calls().get(0).addShardLabel()).isTrue();
    assertThat(plan.calls().get(0).params().encode()).isEqualTo("time=5&query=up&stats=all");
  }

  @Test
  void queryWithoutSelectorGoesToTheFirstShardWithoutLabel() {
    Route plan = plan(Endpoint.QUERY_RANGE, "query=1%2B1&start=1&end=2&step=1");

    assertThat(plan.calls()).extracting(Route.Call::shard).containsExactly("a");
    assertThat(plan.calls().get(0).addShardLabel()).isFalse();
  }

  @Test
  void everyMatchGoesOnlyToItsShardsAndShardsWithNoneAreNotAsked() {
    Route plan = plan(Endpoint.SERIES, "match[]=up%7Bcluster%3D%22b%22%7D&start=1");

    assertThat(plan.calls()).extracting(Route.Call::shard).containsExactly("b");
    assertThat(plan.calls().get(0).params().encode()).isEqualTo("match%5B%5D=up&start=1");
  }

  @Test
  void labelNamesAlwaysMergeSoTheShardLabelJoins() {
    Route plan = plan(Endpoint.LABELS, "match[]=up%7Bcluster%3D%22a%22%7D");

    assertThat(plan.combine()).isEqualTo(Route.Combine.MERGE);
    assertThat(plan.calls()).extracting(Route.Call::shard).containsExactly("a");
  }

  @Test
  void shardLabelValuesWithoutMatchAreLocal() {
    Route plan = router.route(Endpoint.LABEL_VALUES, "cluster", Params.of("", null));

    assertThat(plan.local()).isNotNull();
    assertThat(plan.calls()).isEmpty();
  }

  @Test
  void labelValuesOfAnInvalidNameAreRefused() {
    assertThatThrownBy(() -> router.route(Endpoint.LABEL_VALUES, "a-b", Params.of("", null)))
        .isInstanceOf(ApiException.class)
        .hasMessage("invalid label name: \"a-b\"");
  }

  @Test
  void crossShardMergeSendsEveryShardQueryToEveryShardWithTheSameTimes() {
    Route plan = plan(Endpoint.QUERY_RANGE, "query=sum(up)&start=10&end=70&step=30");

    assertThat(plan.combine()).isEqualTo(Route.Combine.CROSS_SHARD);
    assertThat(plan.calls()).extracting(Route.Call::shard).containsExactly("a", "b");
    assertThat(plan.calls())
        .extracting(call -> call.params().encode())
        .containsOnly("query=sum%28up%29&start=10&end=70&step=30");
    assertThat(plan.crossShard().plan()).hasToString("sum(shards(sum(up)))");
    assertThat(plan.crossShard())
        .isEqualTo(new Route.CrossShard(plan.crossShard().plan(), true, 10_000, 70_000, 30_000));
  }

  @Test
  void anInstantQueryOverSeveralShardsWithoutTimeIsEvaluatedByAllAtOneInstant() {
    long before = System.currentTimeMillis();
    Route plan = plan(Endpoint.QUERY, "query=up");
    long after = System.currentTimeMillis();

    assertThat(plan.calls()).extracting(Route.Call::shard).containsExactly("a", "b");
    String time = plan.calls().get(0).params().first("time");
    assertThat(plan.calls()).extracting(call -> call.params().first("time")).containsOnly(time);
    assertThat((long) (Double.parseDouble(time) * 1000)).isBetween(before - 1, after + 1);
  }

  @Test
  void anInstantQueryOfOneShardKeepsItsParametersAsSent() {
    Route plan = plan(Endpoint.QUERY, "query=up%7Bcluster%3D%22a%22%7D");

    assertThat(plan.calls().get(0).params().encode()).isEqualTo("query=up");
  }

  @Test
  void aMatchWithoutANonEmptyMatcherIsRefusedWithPrometheusMessageAfterEveryMatchParsed() {
    assertThatThrownBy(() -> plan(Endpoint.SERIES, "match[]=%7Bjob%3D~%22.*%22%7D"))
        .isInstanceOf(ApiException.class)
        .hasMessage(
            "invalid parameter \"match[]\": match[] must contain at least one non-empty matcher");
    assertThatThrownBy(() -> plan(Endpoint.LABELS, "match[]=%7B%7D&match[]=up"))
        .isInstanceOf(ApiException.class)
        .hasMessage("match[] must contain at least one non-empty matcher");
    // A syntax error in a later match[] is reported first, as Prometheus parses them all first.
    assertThatThrownBy(() -> plan(Endpoint.LABELS, "match[]=%7B%7D&match[]=sum(up)"))
        .isInstanceOf(ApiException.class)
        .hasMessage("1:4: parse error: unexpected \"(\"");
  }

  @Test
  void unknownShardIsAskedOfOneShardOverNoSeriesWithItsWarning() {
    Route plan = plan(Endpoint.QUERY, "query=up%7Bcluster%3D%22zzz%22%7D");

    assertThat(plan.local()).isNull();
    assertThat(plan.calls()).extracting(Route.Call::shard).containsExactly("a");
    assertThat(plan.calls()).noneMatch(Route.Call::addShardLabel);
    assertThat(plan.warnings()).isNotEmpty();
  }

  @Test
  void formatAndParseQueryUseTheConfiguredParserOptions() throws Exception {
    // mad_over_time is experimental: a router configured with experimental_functions routes it,
    // so format_query and parse_query must accept it too (they used to parse with the defaults).
    String query = "query=mad_over_time(up%7Bcluster%3D%22a%22%7D%5B5m%5D)";
    Router experimental = routerWith(ParserOptions.builder().experimentalFunctions(true).build());
    Router defaults = routerWith(ParserOptions.defaults());

    assertThat(experimental.route(Endpoint.QUERY, null, Params.of(query, null)).calls())
        .isNotEmpty();
    java.io.ByteArrayOutputStream formatted = new java.io.ByteArrayOutputStream();
    experimental
        .route(Endpoint.FORMAT_QUERY, null, Params.of(query, null))
        .local()
        .write(formatted);
    assertThat(formatted.toString(java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":\"mad_over_time(up{cluster=\\\"a\\\"}[5m])\"}");
    assertThat(experimental.route(Endpoint.PARSE_QUERY, null, Params.of(query, null)).local())
        .isNotNull();

    for (Endpoint endpoint : List.of(Endpoint.FORMAT_QUERY, Endpoint.PARSE_QUERY)) {
      assertThatThrownBy(() -> defaults.route(endpoint, null, Params.of(query, null)))
          .isInstanceOfSatisfying(
              ApiException.class, e -> assertThat(e.error().status()).isEqualTo(400))
          .hasMessageContaining("function \"mad_over_time\" is not enabled");
    }
  }

  private static Router routerWith(ParserOptions options) {
    ShardRewriter rewriter =
        ShardRewriter.builder()
            .shardLabel("cluster")
            .shards(List.of("a", "b"))
            .parserOptions(options)
            .build();
    return new Router(Routing.of(rewriter), "cluster", List.of("a", "b"));
  }

  @Test
  void aRangeQueryOfARangeVectorMergedByTheRouterIsRefusedAsPrometheusRefusesIt() {
    Router real =
        new Router(
            Routing.of(
                ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b")).build()),
            "cluster",
            List.of("a", "b"));

    assertThatThrownBy(
            () ->
                real.route(
                    Endpoint.QUERY_RANGE,
                    null,
                    Params.of("query=sum(up)%5B5m%3A1m%5D&start=1&end=61&step=15", null)))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.error().status()).isEqualTo(400))
        .hasMessage(
            "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
    // The same query is an instant query's matrix.
    assertThat(
            real.route(Endpoint.QUERY, null, Params.of("query=sum(up)%5B5m%3A1m%5D&time=61", null))
                .calls())
        .isNotEmpty();
  }

  @Test
  void exemplarsAlwaysGetTheShardLabelOnTheirSeriesEvenWhenTheQueryDropsIt() {
    Route plan = plan(Endpoint.QUERY_EXEMPLARS, "query=sum(up)&start=1&end=2");

    assertThat(plan.calls()).extracting(Route.Call::shard).containsExactly("a", "b");
    assertThat(plan.calls()).allMatch(Route.Call::addShardLabel);
  }

  @Test
  void bodyParametersComeBeforeUrlParameters() {
    Params params = Params.of("query=url&x=1", "query=body");

    assertThat(params.first("query")).isEqualTo("body");
    assertThat(params.replacing("query", List.of("new")).encode()).isEqualTo("query=new&x=1");
  }
}
