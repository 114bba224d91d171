package io.promroute.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.promql.ParserOptions;
import io.promroute.shard.ShardRewriter;
import io.promroute.shard.ShardRoutingException;
import io.promroute.shard.ShardedQuery;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Query over shards a, b, c → printed plan. {@code shards(q)}: q is sent to every shard and the
 * answers concatenated; {@code shards+label(q)}: the same, each series getting {@code
 * cluster="<shard>"}; {@code every_shard(q)}: present where every shard answers; everything else is
 * computed by the router from its children's merged values.
 */
class QueryPlannerTest {

  static final ShardRewriter REWRITER =
      ShardRewriter.builder()
          .shardLabel("cluster")
          .shards(List.of("a", "b", "c"))
          .parserOptions(ParserOptions.allFeatures())
          .build();

  static QueryPlan plan(String query) {
    ShardedQuery routed = REWRITER.rewrite(query);
    return QueryPlanner.plan(routed);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          # decomposable aggregations: per-shard partials, merged per output label set
          sum(rate(x[5m]))                 | sum(shards(sum(rate(x[5m]))))
          sum by (job) (x)                 | sum by (job) (shards(sum by (job) (x)))
          sum without (instance, cluster) (x) | sum without (instance, cluster) (shards(sum without (instance, cluster) (x)))
          count(x)                         | sum(shards(count(x)))
          min(x)                           | min(shards(min(x)))
          max by (job) (x)                 | max by (job) (shards(max by (job) (x)))
          group(x)                         | group(shards(group(x)))
          avg by (job) (x)                 | avg_merge by (job) (shards(avg by (job) (x)), shards(count by (job) (x)))
          stddev(x)                        | stddev_merge(shards(avg(x)), shards(count(x)), shards(stdvar(x)))
          stdvar by (job) (x)              | stdvar_merge by (job) (shards(avg by (job) (x)), shards(count by (job) (x)), shards(stdvar by (job) (x)))
          topk(3, x)                       | topk(3, shards+label(topk(3, x)))
          bottomk by (job) (2, x)          | bottomk by (job) (2, shards+label(bottomk by (job) (2, x)))
          count_values("v", x)             | sum by (v) (shards(count_values("v", x)))
          count_values by (job) ("v", x)   | sum by (job, v) (shards(count_values by (job) ("v", x)))
          quantile(0.9, rate(x[5m]))       | quantile(0.9, shards+label(rate(x[5m])))
          # limitk and limit_ratio pick series by the whole label set, shard label included
          limitk(2, x)                     | limitk(2, shards+label(x))
          limitk by (cluster) (2, x)       | limitk by (cluster) (2, shards+label(x))
          limit_ratio(0.5, rate(x[5m]))    | limit_ratio(0.5, shards+label(rate(x[5m])))
          # aggregations of merged values are computed by the router
          topk(5, sum by (job) (rate(x[5m]))) | topk(5, sum by (job) (shards(sum by (job) (rate(x[5m])))))
          max(sum by (job) (x))            | max(sum by (job) (shards(sum by (job) (x))))
          topk(scalar(sum(y)), x)          | topk(scalar(sum(shards(sum(y)))), shards+label(x))
          # a parent operator is never pushed below the merge (promxy's bugs)
          2 - max(x)                       | (2 - max(shards(max(x))))
          max(x) < 5                       | (max(shards(max(x))) < 5)
          topk(1, x) * -1                  | (topk(1, shards+label(topk(1, x))) * -1)
          -sum(x)                          | -sum(shards(sum(x)))
          count(x) * 2 + 1                 | ((sum(shards(count(x))) * 2) + 1)
          sum(x) > bool 5                  | (sum(shards(sum(x))) > bool 5)
          time() - max(x)                  | (time() - max(shards(max(x))))
          # constants are computed once by the router, never fanned out
          x or vector(0)                   | (shards+label(x) or vector(0))
          sum(x) or vector(0)              | (sum(shards(sum(x))) or vector(0))
          # joins of merged values
          sum(a) / sum(b)                  | (sum(shards(sum(a))) / sum(shards(sum(b))))
          sum by (job) (rate(a[5m])) / sum by (job) (rate(b[5m])) | (sum by (job) (shards(sum by (job) (rate(a[5m])))) / sum by (job) (shards(sum by (job) (rate(b[5m])))))
          rate(x[5m]) / on (instance) group_left () sum by (instance) (rate(x[5m])) | (shards+label(rate(x[5m])) / on (instance) group_left () sum by (instance) (shards(sum by (instance) (rate(x[5m])))))
          x * on (job) y                   | (shards+label(x) * on (job) shards+label(y))
          x and on (job) y                 | (shards+label(x) and on (job) shards(group by (job) (y)))
          x unless on (job) y              | (shards+label(x) unless on (job) shards(group by (job) (y)))
          x * scalar(sum(y))               | (shards+label(x) * scalar(sum(shards(sum(y)))))
          # functions of merged values
          scalar(sum(x))                   | scalar(sum(shards(sum(x))))
          scalar(x)                        | scalar(shards+label(x))
          vector(scalar(sum(x)))           | vector(scalar(sum(shards(sum(x)))))
          sort_desc(sum by (job) (x))      | sort_desc(sum by (job) (shards(sum by (job) (x))))
          sort(rate(x[5m]))                | sort(shards+label(rate(x[5m])))
          abs(sum(x))                      | abs(sum(shards(sum(x))))
          round(sum(x), 0.5)               | round(sum(shards(sum(x))), 0.5)
          clamp_max(sum(x), 10)            | clamp_max(sum(shards(sum(x))), 10)
          histogram_quantile(0.9, sum by (le) (rate(b[5m]))) | histogram_quantile(0.9, sum by (le) (shards(sum by (le) (rate(b[5m])))))
          # label functions over merged values, or reading or writing the shard label the shards lack
          label_replace(sum by (job) (x), "j", "$1", "job", "(.*)") | label_replace(sum by (job) (shards(sum by (job) (x))), "j", "$1", "job", "(.*)")
          label_replace(x, "name", "$1", "cluster", "(.*)") | label_replace(shards+label(x), "name", "$1", "cluster", "(.*)")
          label_join(x, "cluster", "-", "cluster", "job") | label_join(shards+label(x), "cluster", "-", "cluster", "job")
          # subqueries over merged values: the inner query's shard queries run on the subquery's grid
          max_over_time(sum(rate(x[5m]))[1h:1m]) | max_over_time(subquery(sum(shards(sum(rate(x[5m])))@grid(range 3600000ms, step 60000ms, offset 0ms)), range 3600000ms, step 60000ms, offset 0ms))
          avg_over_time((2 - max(x))[10m:] offset 5m) | avg_over_time(subquery((2 - max(shards(max(x))@grid(range 600000ms, step 60000ms, offset 300000ms))), range 600000ms, step 60000ms, offset 300000ms))
          # absent: true only where every shard says so
          absent(x{job="z"})               | every_shard(absent(x{job="z"}))
          absent(sum(x))                   | every_shard(absent(sum(x)))
          absent_over_time(x[5m])          | every_shard(absent_over_time(x[5m]))
          absent(sum(x) > 5)               | absent((sum(shards(sum(x))) > 5))
          # subtrees that keep the shard label are sent whole
          sum(x) + on (cluster) sum by (cluster) (y) | (sum(shards(sum(x))) + on (cluster) shards+label(sum by (cluster) (y)))
          sum(max_over_time(rate(x[5m])[1h:1m])) | sum(shards(sum(max_over_time(rate(x[5m])[1h:1m]))))
          sum(sum by (cluster) (x))        | sum(shards(sum(sum by (cluster) (x))))
          """)
  void plans(String query, String expectedPlan) {
    assertThat(REWRITER.rewrite(query).execution())
        .as("the rewriter sends it to the planner (a sort at the top: as an instant query)")
        .isIn(
            ShardedQuery.Execution.CROSS_SHARD_MERGE, ShardedQuery.Execution.CONCATENATE_IF_RANGE);
    assertThat(plan(query)).hasToString(expectedPlan);
  }

  @Test
  void shardLocalQueriesAreOneConcatenatedShardQuery() {
    QueryPlan plan = plan("histogram_quantile(0.9, sum by (le, cluster) (rate(b[5m])))");

    assertThat(plan)
        .hasToString("shards+label(histogram_quantile(0.9, sum by (le, cluster) (rate(b[5m]))))");
    assertThat(plan.shardQueries())
        .containsExactly("histogram_quantile(0.9, sum by (le, cluster) (rate(b[5m])))");
    assertThat(plan("sum without (instance) (x)"))
        .hasToString("shards+label(sum without (instance) (x))");
  }

  @Test
  void orOfSidesThatDisagreeAboutTheShardLabelIsComputedByTheRouter() {
    QueryPlan plan = plan("x{cluster!=\"c\"} or on () vector(0)");

    assertThat(plan.shards()).containsExactly("a", "b");
    assertThat(plan).hasToString("(shards+label(x) or on () vector(0))");
  }

  @Test
  void shardsThatStoreTheShardLabelGetTheSameShardQueriesAndNothingIsAdded() {
    ShardRewriter keep =
        ShardRewriter.builder()
            .shardLabel("cluster")
            .shards(List.of("a", "b", "c"))
            .mode(io.promroute.shard.ShardLabelMode.KEEP)
            .build();
    QueryPlan plan =
        QueryPlanner.plan(keep.rewrite("topk(2, x{cluster=~\"a|b\"}) / sum(x)"), false);

    assertThat(keep.mode()).isEqualTo(io.promroute.shard.ShardLabelMode.KEEP);
    assertThat(plan)
        .hasToString("(topk(2, shards(topk(2, x{cluster=~\"a|b\"}))) / sum(shards(sum(x))))");
  }

  @Test
  void exactFloatOrderAggregatesEverySeriesOfSumAvgAndStddevInTheRouter() {
    ShardedQuery routed =
        REWRITER.rewrite(
            "histogram_quantile(0.5, sum by (le) (rate(b[5m]))) + avg(x) + count(x) + stddev(x)");

    assertThat(QueryPlanner.plan(routed, true, true))
        .hasToString(
            "(((histogram_quantile(0.5, sum by (le) (shards+label(rate(b[5m])))) + avg(shards+label(x)))"
                + " + sum(shards(count(x)))) + stddev(shards+label(x)))");
  }

  @Test
  void whatCountValuesCountsIsAggregatedInPrometheusOrderWhateverTheMode() {
    QueryPlan plan = plan("count_values(\"v\", sum by (job) (x) / stddev(y)) + sum(x)");

    // Inside count_values every input series comes to the router; outside, partials as ever.
    assertThat(plan)
        .hasToString(
            "(count_values(\"v\", (sum by (job) (shards+label(x)) / stddev(shards+label(y))))"
                + " + sum(shards(sum(x))))");
  }

  @Test
  void repeatedSubtreesAreFetchedOnce() {
    QueryPlan plan = plan("sum(x) / sum(x) + count(x)");

    assertThat(plan.shardQueries()).containsExactly("sum(x)", "count(x)");
    assertThat(plan.shards()).containsExactly("a", "b", "c");
  }

  @Test
  void shardMatchersSelectTheShardsAndAreNotSent() {
    QueryPlan plan = plan("sum(x{cluster=~\"a|c\", job=\"api\"})");

    assertThat(plan.shards()).containsExactly("a", "c");
    assertThat(plan.shardQueries()).containsExactly("sum(x{job=\"api\"})");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          quantile_over_time(scalar(sum(y)), x[5m] anchored) | quantile_over_time() over raw samples with a parameter computed across shards, where the range x[5m] anchored has
          info(x)                                    | info() joins series with the info metrics of every shard
          """)
  void refusesWhatItCannotAnswerExactlyNamingTheConstruct(String query, String message) {
    assertThatThrownBy(() -> plan(query))
        .isInstanceOfSatisfying(
            ShardRoutingException.class,
            e ->
                assertThat(e.reason())
                    .isEqualTo(ShardRoutingException.Reason.CROSS_SHARD_NOT_SUPPORTED))
        .hasMessageContaining(message);
  }

  @Test
  void explainNamesShardsShardQueriesAndTheRouterPart() {
    String json = plan("avg by (job) (x{cluster=~\"a|b\"})").explainJson();

    assertThat(json)
        .isEqualTo(
            "{\"query\":\"avg by (job) (x)\",\"shardLabel\":\"cluster\",\"shards\":[\"a\",\"b\"],"
                + "\"shardQueries\":[{\"query\":\"avg by (job) (x)\",\"addsShardLabel\":false},"
                + "{\"query\":\"count by (job) (x)\",\"addsShardLabel\":false}],"
                + "\"router\":\"avg_merge by (job) (shards(avg by (job) (x)), shards(count by (job) (x)))\","
                + "\"plan\":{\"node\":\"router\",\"computes\":\"avg_merge by (job) (shards(avg by (job) (x)), shards(count by (job) (x)))\","
                + "\"args\":[{\"node\":\"shards\",\"shardQuery\":0,\"query\":\"avg by (job) (x)\",\"combine\":\"concatenate\"},"
                + "{\"node\":\"shards\",\"shardQuery\":1,\"query\":\"count by (job) (x)\",\"combine\":\"concatenate\"}]}}");
  }

  /**
   * Selectors that read different shards (the default global view): the plan is made of the same
   * pieces, and every shard gets each shard query with the selectors it does not read made empty
   * (and the many side of an operation guarded, see EmptySideGuard).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          sum(rate(x{cluster="b"}[5m])) / sum(rate(x[5m])) | (sum(shards(sum(rate(x{cluster="b"}[5m])))) / sum(shards(sum(rate(x[5m])))))
          x{cluster="a"} / ignoring (cluster) x{cluster="b"} | (shards+label(x{cluster="a"}) / ignoring (cluster) shards+label(x{cluster="b"}))
          up{cluster="c"} - up{cluster="b"}                | (shards+label(up{cluster="c"}) - shards+label(up{cluster="b"}))
          x{cluster="a"} / x                               | (shards+label(x{cluster="a"}) / shards+label(x))
          `x{cluster=~"a|b"} / y{cluster!="c"}`              | `shards+label((x or on () label_replace(vector(0), "__promroute_empty_side__", "promroute:empty-side", "", "")) / y)`
          x{cluster="a"} and y                             | shards+label(x{cluster="a"} and y)
          x{cluster="a"} or y{cluster="b"}                 | shards+label(x{cluster="a"} or y{cluster="b"})
          rate(x{cluster="b"}[5m]) / on (instance) group_left () up | (shards+label(rate(x{cluster="b"}[5m])) / on (instance) group_left () shards+label(up))
          up{cluster="a"} and on (instance) y > 2.9e9      | (shards+label(up{cluster="a"}) and on (instance) shards(group by (instance) (y > 2900000000)))
          """)
  void plansSelectorsThatReadDifferentShards(String query, String expected) {
    assertThat(plan(query).toString()).isEqualTo(expected);
  }

  /**
   * Subqueries over merged values with {@code @}, nested in one another, under {@code
   * absent_over_time}: the innermost shard query is a range query on a grid that covers every
   * window the router evaluates.
   */
  @Test
  void subqueriesOverMergedValuesWithAtOrNestedAskTheGridsTheyNeed() {
    QueryPlan at = plan("max_over_time(sum(rate(x[5m]))[1h:1m] @ 7200)");
    assertThat(at.toString())
        .isEqualTo(
            "max_over_time(subquery(sum(shards(sum(rate(x[5m])))@grid(range 3600000ms, step 60000ms,"
                + " offset 0ms, @ 7200000ms)), range 3600000ms, step 60000ms, offset 0ms, @ 7200000ms))");
    // Whatever the request's times, the window is the hour before the @ time.
    QueryPlan.ShardRequest request = at.rangeRequests(100_000_000, 200_000_000, 60_000).get(0);
    assertThat(List.of(request.startMillis(), request.endMillis(), request.stepMillis()))
        .containsExactly(3_600_000L, 7_200_000L, 60_000L);
    QueryPlan.ShardRequest atEnd =
        plan("max_over_time(sum(x)[10m:1m] @ end())").rangeRequests(0, 1_200_000, 60_000).get(0);
    assertThat(List.of(atEnd.startMillis(), atEnd.endMillis()))
        .containsExactly(600_000L, 1_200_000L);

    QueryPlan nested = plan("max_over_time(max_over_time(sum(x)[5m:1m])[1h:5m] offset 10m)");
    QueryPlan.ShardRequest inner = nested.instantRequests(10_000_000).get(0);
    // Outer points: multiples of 5m in [t - 10m - 1h, t - 10m]; inner windows 5m before each.
    assertThat(List.of(inner.startMillis(), inner.endMillis(), inner.stepMillis()))
        .containsExactly(6_000_000L - 300_000L, 9_400_000L, 60_000L);

    assertThat(plan("absent_over_time(sum(x)[5m:1m])").toString())
        .isEqualTo(
            "absent_over_time(subquery(sum(shards(sum(x))@grid(range 300000ms, step 60000ms,"
                + " offset 0ms)), range 300000ms, step 60000ms, offset 0ms))");
  }

  /**
   * An operation whose selectors all read one shard, inside a plan over several: that shard
   * evaluates it over every series the global view has, so its duplicate error is the global
   * evaluation's. Guarded, the error asked for the router-matching plan, which left the operation
   * to the same shard, guarded again: the router sent the query again and again until its deadline
   * (RandomQueriesVsGlobalTest seed 2029).
   */
  @Test
  void anOperationWhoseSelectorsReadOneShardIsNotGuardedInAPlanOverSeveral() {
    ShardedQuery routed =
        REWRITER.rewrite("(x{cluster=\"b\"} % on (cluster) y{cluster=\"b\"}) - scalar(sum(z))");

    QueryPlan usual = QueryPlanner.plan(routed, true, false, false);
    QueryPlan routerMatching = QueryPlanner.plan(routed, true, false, true);

    assertThat(usual.shards()).containsExactly("a", "b", "c");
    assertThat(usual.toString())
        .isEqualTo(
            "(shards+label((x{cluster=\"b\"} % on (cluster) y{cluster=\"b\"}))"
                + " - scalar(sum(shards(sum(z)))))");
    assertThat(usual.guarded()).isFalse();
    assertThat(routerMatching.guarded()).isFalse();
    // Over several shards the guard stays.
    assertThat(
            QueryPlanner.plan(
                    REWRITER.rewrite(
                        "(x{cluster=~\"a|b\"} % on (cluster) y{cluster=~\"a|b\"}) - scalar(sum(z))"),
                    true,
                    false,
                    false)
                .guarded())
        .isTrue();
  }

  @Test
  void explainShowsWhatEachShardGetsWhenTheSelectorsReadDifferentShards() {
    String json = plan("sum(x{cluster=\"b\"}) / sum(x)").explainJson();

    assertThat(json)
        .contains(
            "\"perShard\":{\"a\":\"sum(x{cluster=\\\"b\\\"})\",\"b\":\"sum(x)\",\"c\":\"sum(x{cluster=\\\"b\\\"})\"}");
  }

  @Test
  void eachShardGetsTheShardQueryWithTheSelectorsItDoesNotReadMadeEmpty() {
    QueryPlan plan = plan("sum(rate(x{cluster=\"b\"}[5m])) / sum(rate(x[5m]))");
    assertThat(plan.shards()).containsExactly("a", "b", "c");
    QueryPlan.ShardRequest share = plan.instantRequests(1000).get(0);
    assertThat(List.of(share.queryFor(0), share.queryFor(1), share.queryFor(2)))
        .containsExactly(
            "sum(rate(x{cluster=\"b\"}[5m]))",
            "sum(rate(x[5m]))",
            "sum(rate(x{cluster=\"b\"}[5m]))");
    QueryPlan.ShardRequest total = plan.rangeRequests(0, 60_000, 15_000).get(1);
    assertThat(List.of(total.queryFor(0), total.queryFor(1), total.queryFor(2)))
        .containsOnly("sum(rate(x[5m]))");
  }
}
