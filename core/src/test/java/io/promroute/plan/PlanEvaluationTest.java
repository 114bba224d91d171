package io.promroute.plan;

import static io.promroute.plan.Answers.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.api.ApiException;
import io.promroute.api.QueryResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Plans evaluated over hand-made shard answers. Expected values are worked out by hand from the
 * global view: one Prometheus holding every shard's series with {@code cluster="<shard>"}.
 */
class PlanEvaluationTest {

  private static final long T = 1_000_000L;

  private static QueryResult instant(QueryPlan plan, Answers answers) {
    return plan.evaluateInstant(T, answers.build());
  }

  @Test
  void partialSumsWithIdenticalLabelSetsFromDifferentShardsAreAddedNotDeduplicated() {
    QueryPlan plan = QueryPlannerTest.plan("sum by (job) (x)");
    Answers answers =
        new Answers(plan)
            .put("sum by (job) (x)", "a", T, "{job=\"api\"} 3", "{job=\"db\"} 1")
            .put("sum by (job) (x)", "b", T, "{job=\"api\"} 4")
            .put("sum by (job) (x)", "c", T, "{job=\"api\"} 0.5");

    QueryResult result = instant(plan, answers);

    assertThat(result.type()).isEqualTo(QueryResult.Type.VECTOR);
    assertThat(lines(result)).containsExactlyInAnyOrder("{job=\"api\"} 7.5", "{job=\"db\"} 1");
  }

  @Test
  void countIsTheSumOfTheShardCounts() {
    QueryPlan plan = QueryPlannerTest.plan("count(x)");
    Answers answers =
        new Answers(plan).put("count(x)", "a", T, "{} 3").put("count(x)", "c", T, "{} 2");

    assertThat(lines(instant(plan, answers))).containsExactly("{} 5");
  }

  @Test
  void averageWeighsEachShardsMeanByItsCount() {
    QueryPlan plan = QueryPlannerTest.plan("avg(x)");
    // Shard a holds 1, 2, 3; shard b holds 4: the global mean is 10 / 4, not the mean of means 3.
    Answers answers =
        new Answers(plan)
            .put("avg(x)", "a", T, "{} 2")
            .put("count(x)", "a", T, "{} 3")
            .put("avg(x)", "b", T, "{} 4")
            .put("count(x)", "b", T, "{} 1");

    assertThat(lines(instant(plan, answers))).containsExactly("{} 2.5");
  }

  @Test
  void averageOfValuesNearTheFloatMaximumDoesNotOverflow() {
    QueryPlan plan = QueryPlannerTest.plan("avg(x)");
    String big = "9.988465674311579e+307";
    // Prometheus's incremental mean of four such values is the value; a sum would be +Inf.
    Answers same =
        new Answers(plan)
            .put("avg(x)", "a", T, "{} " + big)
            .put("count(x)", "a", T, "{} 3")
            .put("avg(x)", "b", T, "{} " + big)
            .put("count(x)", "b", T, "{} 1");
    // -big, -big on a and big, big on b: the mean is 0; 2 * big overflows.
    Answers opposite =
        new Answers(plan)
            .put("avg(x)", "a", T, "{} -" + big)
            .put("count(x)", "a", T, "{} 2")
            .put("avg(x)", "b", T, "{} " + big)
            .put("count(x)", "b", T, "{} 2");

    assertThat(instant(plan, same).series().get(0).points().get(0).value())
        .isEqualTo(9.988465674311579e+307);
    assertThat(lines(instant(plan, opposite))).containsExactly("{} 0");
  }

  @Test
  void averageOfOppositeInfinitiesIsNaN() {
    QueryPlan plan = QueryPlannerTest.plan("avg(x)");
    Answers answers =
        new Answers(plan)
            .put("avg(x)", "a", T, "{} +Inf")
            .put("count(x)", "a", T, "{} 2")
            .put("avg(x)", "c", T, "{} -Inf")
            .put("count(x)", "c", T, "{} 1");

    assertThat(lines(instant(plan, answers))).containsExactly("{} NaN");
  }

  @Test
  void exactStandardDeviationIsWelfordOverEveryShardsSeries() {
    QueryPlan plan = exact("stdvar(x)");
    // Shard a holds 1, 2, 3; shard b holds 10. Globally: mean 4, squared deviations
    // 9 + 4 + 1 + 36 = 50, variance 50 / 4 = 12.5 (exact in binary at every Welford step).
    Answers answers =
        new Answers(plan)
            .put("x", "a", T, "{i=\"1\"} 1", "{i=\"2\"} 2", "{i=\"3\"} 3")
            .put("x", "b", T, "{i=\"4\"} 10");

    assertThat(lines(instant(plan, answers))).containsExactly("{} 12.5");
  }

  @Test
  void varianceMergesEachShardsCountMeanAndVariance() {
    QueryPlan plan = QueryPlannerTest.plan("stdvar by (job) (x)");
    // The series of the test above: shard a (1, 2, 3) answers count 3, mean 2 and its Welford
    // variance 2/3; shard b (10) count 1, mean 10, variance 0. The merge must reach the global
    // 12.5.
    Answers answers =
        new Answers(plan)
            .put("avg by (job) (x)", "a", T, "{job=\"api\"} 2")
            .put("count by (job) (x)", "a", T, "{job=\"api\"} 3")
            .put("stdvar by (job) (x)", "a", T, "{job=\"api\"} 0.6666666666666666")
            .put("avg by (job) (x)", "b", T, "{job=\"api\"} 10", "{job=\"db\"} 5")
            .put("count by (job) (x)", "b", T, "{job=\"api\"} 1", "{job=\"db\"} 1")
            .put("stdvar by (job) (x)", "b", T, "{job=\"api\"} 0", "{job=\"db\"} 0");

    // n = 4, mean 4; 3 * 2/3 + 3 * (2 - 4)^2 + 1 * (10 - 4)^2 = 2 + 12 + 36 = 50; 50 / 4.
    assertThat(lines(instant(plan, answers)))
        .containsExactly("{job=\"api\"} 12.5", "{job=\"db\"} 0");
  }

  @Test
  void standardDeviationFromPartialsOfANaNShardIsNaN() {
    QueryPlan plan = QueryPlannerTest.plan("stddev(x)");
    Answers answers =
        new Answers(plan)
            .put("avg(x)", "a", T, "{} 2")
            .put("count(x)", "a", T, "{} 3")
            .put("stdvar(x)", "a", T, "{} 1")
            .put("avg(x)", "b", T, "{} NaN")
            .put("count(x)", "b", T, "{} 2")
            .put("stdvar(x)", "b", T, "{} NaN");

    assertThat(lines(instant(plan, answers))).containsExactly("{} NaN");
  }

  private static QueryPlan exact(String query) {
    return QueryPlanner.plan(QueryPlannerTest.REWRITER.rewrite(query), true, true);
  }

  @Test
  void maxIgnoresNaNUnlessEveryValueIsNaN() {
    QueryPlan plan = QueryPlannerTest.plan("max by (job) (x)");
    Answers answers =
        new Answers(plan)
            .put("max by (job) (x)", "a", T, "{job=\"api\"} NaN", "{job=\"db\"} NaN")
            .put("max by (job) (x)", "b", T, "{job=\"api\"} -3")
            .put("max by (job) (x)", "c", T, "{job=\"db\"} NaN");

    assertThat(lines(instant(plan, answers)))
        .containsExactlyInAnyOrder("{job=\"api\"} -3", "{job=\"db\"} NaN");
  }

  @Test
  void twoMinusMaxSubtractsFromTheGlobalMaximum() {
    QueryPlan plan = QueryPlannerTest.plan("2 - max(x)");
    Answers answers = new Answers(plan).put("max(x)", "a", T, "{} 3").put("max(x)", "b", T, "{} 7");

    // Pushing "2 -" below the merge would give max(2 - 3, 2 - 7) = -1.
    assertThat(lines(instant(plan, answers))).containsExactly("{} -5");
  }

  @Test
  void comparisonFiltersTheGlobalMaximum() {
    QueryPlan plan = QueryPlannerTest.plan("max(x) < 5");
    Answers answers = new Answers(plan).put("max(x)", "a", T, "{} 3").put("max(x)", "b", T, "{} 7");

    // The global max is 7, which is not < 5: nothing. Filtering per shard would answer 3.
    assertThat(lines(instant(plan, answers))).isEmpty();
  }

  @Test
  void topkThenNegateNegatesTheGlobalWinnerAndDropsTheName() {
    QueryPlan plan = QueryPlannerTest.plan("topk(1, x) * -1");
    Answers answers =
        new Answers(plan)
            .put("topk(1, x)", "a", T, "{__name__=\"x\", job=\"api\"} 3")
            .put("topk(1, x)", "b", T, "{__name__=\"x\", job=\"api\"} 7");

    assertThat(lines(instant(plan, answers))).containsExactly("{cluster=\"b\", job=\"api\"} -7");
  }

  @Test
  void topkBreaksTiesInGlobalLabelOrderShardLabelIncluded() {
    QueryPlan plan = QueryPlannerTest.plan("topk(1, x)");
    // Without the shard label {__name__="x"} sorts before {__name__="x", branch="m"}; with it,
    // "branch" < "cluster" puts shard a's series first, and the first seen wins a tie.
    Answers answers =
        new Answers(plan)
            .put("topk(1, x)", "b", T, "{__name__=\"x\"} 5")
            .put("topk(1, x)", "a", T, "{__name__=\"x\", branch=\"m\"} 5");

    assertThat(lines(instant(plan, answers)))
        .containsExactly("{__name__=\"x\", branch=\"m\", cluster=\"a\"} 5");
  }

  @Test
  void orVectorZeroAddsOneZeroNotOnePerShard() {
    QueryPlan plan = QueryPlannerTest.plan("sum(x) or vector(0)");

    assertThat(lines(instant(plan, new Answers(plan)))).containsExactly("{} 0");
  }

  @Test
  void orVectorZeroKeepsSeriesWhoseLabelsDifferFromTheEmptySet() {
    QueryPlan plan = QueryPlannerTest.plan("x or vector(0)");
    Answers answers = new Answers(plan).put("x", "a", T, "{__name__=\"x\"} 1");

    // Globally x carries cluster="a", so its signature is not {} and vector(0) is added too.
    assertThat(lines(instant(plan, answers)))
        .containsExactly("{__name__=\"x\", cluster=\"a\"} 1", "{} 0");
  }

  @Test
  void scalarOfAMergedSumIsAScalarAndNaNUnlessExactlyOneElement() {
    QueryPlan plan = QueryPlannerTest.plan("scalar(sum(x))");
    Answers answers =
        new Answers(plan).put("sum(x)", "a", T, "{} 1.5").put("sum(x)", "b", T, "{} 2");
    QueryResult result = instant(plan, answers);

    assertThat(result.type()).isEqualTo(QueryResult.Type.SCALAR);
    assertThat(lines(result)).containsExactly("{} 3.5");

    QueryPlan two = QueryPlannerTest.plan("scalar(x)");
    Answers twoSeries =
        new Answers(two)
            .put("x", "a", T, "{__name__=\"x\"} 1")
            .put("x", "b", T, "{__name__=\"x\"} 2");
    assertThat(lines(two.evaluateInstant(T, twoSeries.build()))).containsExactly("{} NaN");
  }

  @Test
  void countValuesSumsTheShardCountsPerValue() {
    QueryPlan plan = QueryPlannerTest.plan("count_values(\"v\", x)");
    Answers answers =
        new Answers(plan)
            .put("count_values(\"v\", x)", "a", T, "{v=\"1\"} 2", "{v=\"2.5\"} 1")
            .put("count_values(\"v\", x)", "b", T, "{v=\"1\"} 1");

    assertThat(lines(instant(plan, answers)))
        .containsExactlyInAnyOrder("{v=\"1\"} 3", "{v=\"2.5\"} 1");
  }

  @Test
  void quantileInterpolatesOverTheSeriesOfEveryShard() {
    QueryPlan plan = QueryPlannerTest.plan("quantile(0.5, x)");
    Answers answers =
        new Answers(plan)
            .put("x", "a", T, "{__name__=\"x\", i=\"1\"} 1", "{__name__=\"x\", i=\"2\"} 2")
            .put("x", "b", T, "{__name__=\"x\", i=\"3\"} 4", "{__name__=\"x\", i=\"4\"} 3");

    // Sorted 1 2 3 4: rank 0.5 * 3 = 1.5, halfway between 2 and 3.
    assertThat(lines(instant(plan, answers))).containsExactly("{} 2.5");
  }

  @Test
  void histogramQuantileOverBucketsSummedAcrossShards() {
    QueryPlan plan = QueryPlannerTest.plan("histogram_quantile(0.5, sum by (le) (b))");
    String shardQuery = "sum by (le) (b)";
    Answers answers =
        new Answers(plan)
            .put(shardQuery, "a", T, "{le=\"1\"} 1", "{le=\"2\"} 2", "{le=\"+Inf\"} 2")
            .put(shardQuery, "b", T, "{le=\"1\"} 1", "{le=\"2\"} 3", "{le=\"+Inf\"} 4");

    // Merged: le=1: 2, le=2: 5, +Inf: 6. Rank 3 falls in (1, 2], 1 of its 3 observations in:
    // 1 + (2 - 1) * 1/3.
    assertThat(lines(instant(plan, answers))).containsExactly("{} 1.3333333333333333");
  }

  @Test
  void sortDescOrdersTheMergedSeriesByValue() {
    QueryPlan plan = QueryPlannerTest.plan("sort_desc(sum by (job) (x))");
    String shardQuery = "sum by (job) (x)";
    Answers answers =
        new Answers(plan)
            .put(shardQuery, "a", T, "{job=\"a\"} 1", "{job=\"b\"} 5", "{job=\"c\"} 2")
            .put(shardQuery, "b", T, "{job=\"a\"} 9");

    assertThat(lines(instant(plan, answers)))
        .containsExactly("{job=\"a\"} 10", "{job=\"b\"} 5", "{job=\"c\"} 2");
  }

  @Test
  void absentIsTrueOnlyWhenEveryShardSaysSo() {
    QueryPlan plan = QueryPlannerTest.plan("absent(x{job=\"z\"})");
    String shardQuery = "absent(x{job=\"z\"})";
    Answers twoOfThree =
        new Answers(plan)
            .put(shardQuery, "a", T, "{job=\"z\"} 1")
            .put(shardQuery, "b", T, "{job=\"z\"} 1");
    Answers all = twoOfThree.put(shardQuery, "c", T, "{job=\"z\"} 1");

    assertThat(
            lines(
                plan.evaluateInstant(
                    T,
                    new Answers(plan)
                        .put(shardQuery, "a", T, "{job=\"z\"} 1")
                        .put(shardQuery, "b", T, "{job=\"z\"} 1")
                        .build())))
        .isEmpty();
    assertThat(lines(instant(plan, all))).containsExactly("{job=\"z\"} 1");
  }

  @Test
  void oneToOneMatchingOfSeveralShardsSeriesWithOneGroupIsAnError() {
    QueryPlan plan = QueryPlannerTest.plan("x / on (job) sum by (job) (y)");
    Answers answers =
        new Answers(plan)
            .put("x", "a", T, "{__name__=\"x\", job=\"api\"} 1")
            .put("x", "b", T, "{__name__=\"x\", job=\"api\"} 2")
            .put("sum by (job) (y)", "a", T, "{job=\"api\"} 1");

    assertThatThrownBy(() -> instant(plan, answers))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.error().status()).isEqualTo(422);
              assertThat(e.error().errorType()).isEqualTo("execution");
            })
        .hasMessage(
            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
  }

  @Test
  void duplicateSeriesOnTheOneSideIsAnErrorNamingBoth() {
    QueryPlan plan = QueryPlannerTest.plan("sum by (job) (y) / on (job) x");
    Answers answers =
        new Answers(plan)
            .put("x", "a", T, "{__name__=\"x\", job=\"api\"} 1")
            .put("x", "b", T, "{__name__=\"x\", job=\"api\"} 2")
            .put("sum by (job) (y)", "a", T, "{job=\"api\"} 1");

    assertThatThrownBy(() -> instant(plan, answers))
        .isInstanceOf(ApiException.class)
        .hasMessage(
            "found duplicate series for the match group {job=\"api\"} on the right hand-side of the"
                + " operation: [{__name__=\"x\", cluster=\"b\", job=\"api\"}, {__name__=\"x\","
                + " cluster=\"a\", job=\"api\"}];many-to-many matching not allowed: matching labels"
                + " must be unique on one side");
  }

  @Test
  void anEmptySideMatchesNothingSoDuplicatesOnTheOtherSideAreNoError() {
    QueryPlan plan = QueryPlannerTest.plan("sum by (job) (y) / on (job) x");
    Answers duplicatesOnTheOneSide =
        new Answers(plan)
            .put("x", "a", T, "{__name__=\"x\", job=\"api\"} 1")
            .put("x", "b", T, "{__name__=\"x\", job=\"api\"} 2");

    assertThat(lines(instant(plan, duplicatesOnTheOneSide))).isEmpty();

    QueryPlan oneToOne = QueryPlannerTest.plan("x / on (job) sum by (job) (y)");
    Answers manyOnTheLeft =
        new Answers(oneToOne)
            .put("x", "a", T, "{__name__=\"x\", job=\"api\"} 1")
            .put("x", "b", T, "{__name__=\"x\", job=\"api\"} 2");

    assertThat(lines(instant(oneToOne, manyOnTheLeft))).isEmpty();
  }

  @Test
  void andOnTheShardLabelMatchesTheRightSidesGroupsOfEachShard() {
    QueryPlan plan = QueryPlannerTest.plan("(x or vector(0)) and on (cluster) y");
    Answers answers =
        new Answers(plan)
            .put("x", "a", T, "{__name__=\"x\", job=\"j\"} 1")
            .put("x", "b", T, "{__name__=\"x\", job=\"j\"} 2")
            .put("group by (cluster) (y)", "a", T, "{} 1");

    // Only shard a has y: its x matches on cluster="a"; vector(0)'s {} matches no cluster.
    assertThat(lines(instant(plan, answers)))
        .containsExactly("{__name__=\"x\", cluster=\"a\", job=\"j\"} 1");
  }

  @Test
  void topkTiesOverARouterComputedValueKeepItsOrderNotLabelOrder() {
    QueryPlan plan = QueryPlannerTest.plan("topk(1, x or vector(0))");
    Answers answers = new Answers(plan).put("x", "b", T, "{__name__=\"x\"} 0");

    // Prometheus's or puts vector(0)'s {} after x: topk keeps the first of the equal values, x,
    // though {} sorts before it by labels.
    assertThat(lines(instant(plan, answers))).containsExactly("{__name__=\"x\", cluster=\"b\"} 0");
  }

  @Test
  void mergedGroupsComeInTheOrderPrometheusMeetsThemNotInLabelOrder() {
    QueryPlan plan = QueryPlannerTest.plan("topk(1, count_values(\"value\", x))");
    // Shard a met 20 before 10 (its series order); shard b's series come after a's globally.
    Answers answers =
        new Answers(plan)
            .put("count_values(\"value\", x)", "b", T, "{value=\"5\"} 1")
            .put("count_values(\"value\", x)", "a", T, "{value=\"20\"} 1", "{value=\"10\"} 1");

    // Every count is 1: topk keeps the first group, {value="20"}, though "10" sorts before it.
    assertThat(lines(instant(plan, answers))).containsExactly("{value=\"20\"} 1");
  }

  @Test
  void groupLeftJoinsEachShardSeriesWithTheMergedOneSide() {
    QueryPlan plan = QueryPlannerTest.plan("x / on (instance) group_left () sum by (instance) (x)");
    Answers answers =
        new Answers(plan)
            .put("x", "a", T, "{__name__=\"x\", instance=\"i\"} 1")
            .put("x", "b", T, "{__name__=\"x\", instance=\"i\"} 3")
            .put("sum by (instance) (x)", "a", T, "{instance=\"i\"} 1")
            .put("sum by (instance) (x)", "b", T, "{instance=\"i\"} 3");

    assertThat(lines(instant(plan, answers)))
        .containsExactly(
            "{cluster=\"a\", instance=\"i\"} 0.25", "{cluster=\"b\", instance=\"i\"} 0.75");
  }

  @Test
  void rangeResultsMergePerStepAndDropSeriesWithoutPoints() {
    QueryPlan plan = QueryPlannerTest.plan("sum by (job) (x) > 2");
    String shardQuery = "sum by (job) (x)";
    Answers answers =
        new Answers(plan)
            .range()
            .put(shardQuery, "a", 0, "{job=\"api\"} 1", "{job=\"db\"} 1")
            .put(shardQuery, "a", 15_000, "{job=\"api\"} 2")
            .put(shardQuery, "b", 15_000, "{job=\"api\"} 2")
            .put(shardQuery, "b", 30_000, "{job=\"api\"} 5");

    QueryResult result = plan.evaluateRange(0, 30_000, 15_000, answers.build());

    // api: 1 (filtered), 4, 5; db: 1 (filtered) at its only step: dropped.
    assertThat(result.type()).isEqualTo(QueryResult.Type.MATRIX);
    assertThat(lines(result)).containsExactly("{job=\"api\"} 15:4 30:5");
  }

  @Test
  void rangeResultsAreSortedByLabelsAndScalarsBecomeOneSeries() {
    QueryPlan plan = QueryPlannerTest.plan("scalar(sum(x)) * 2");
    Answers answers =
        new Answers(plan).range().put("sum(x)", "a", 0, "{} 1").put("sum(x)", "b", 10_000, "{} 2");

    QueryResult result = plan.evaluateRange(0, 10_000, 10_000, answers.build());

    assertThat(lines(result)).containsExactly("{} 0:2 10:4");
  }

  @Test
  void functionsOfMergedValuesDropTheMetricNameAndRoundHalfUp() {
    QueryPlan plan = QueryPlannerTest.plan("round(sort_desc(max by (job) (x)))");
    Answers answers =
        new Answers(plan).put("max by (job) (x)", "a", T, "{job=\"a\"} 2.5", "{job=\"b\"} -2.5");

    assertThat(lines(instant(plan, answers)))
        .containsExactlyInAnyOrder("{job=\"a\"} 3", "{job=\"b\"} -2");
  }

  @Test
  void subqueryOverAMergedSumAsksForTheGridAndAppliesTheRangeFunctionInTheRouter() {
    QueryPlan plan = QueryPlannerTest.plan("max_over_time(sum(x)[2m:1m])");
    // Window [T - 2m, T] = [880s, 1000s]: the grid points (multiples of 1m) 900s and 960s.
    assertThat(plan.instantRequests(T))
        .containsExactly(new QueryPlan.ShardRequest("sum(x)", true, 900_000, 1_000_000, 60_000));
    Answers answers =
        new Answers(plan)
            .range()
            .put("sum(x)", "a", 900_000, "{} 1")
            .put("sum(x)", "b", 900_000, "{} 2")
            .put("sum(x)", "a", 960_000, "{} 5");

    assertThat(lines(plan.evaluateInstant(T, answers.build()))).containsExactly("{} 5");
  }

  @Test
  void atStartAndEndInsideASubqueryOverMergedValuesAreTheRequestsTimesNotTheGrids() {
    QueryPlan instant = QueryPlannerTest.plan("max_over_time(sum(x @ start())[2m:1m])");
    // The shard query is a range query on the grid, 900s to 1000s: "start()" there would be 900s.
    assertThat(instant.instantRequests(T))
        .containsExactly(
            new QueryPlan.ShardRequest("sum(x @ 1000.000)", true, 900_000, 1_000_000, 60_000));

    QueryPlan range = QueryPlannerTest.plan("max_over_time(sum(x @ end() offset 1m)[2m:1m])");
    assertThat(range.rangeRequests(T, 2 * T, 60_000))
        .extracting(QueryPlan.ShardRequest::query)
        .containsExactly("sum(x @ 2000.000 offset 1m)");
  }

  @Test
  void aSubqueryOverMergedValuesAtTheTopAnswersItsPointsAsAMatrix() {
    QueryPlan plan = QueryPlannerTest.plan("sum(x)[2m:1m]");
    Answers answers =
        new Answers(plan)
            .range()
            .put("sum(x)", "a", 900_000, "{} 1")
            .put("sum(x)", "b", 900_000, "{} 2")
            .put("sum(x)", "a", 960_000, "{} 5");

    QueryResult result = plan.evaluateInstant(T, answers.build());

    assertThat(result.type()).isEqualTo(QueryResult.Type.MATRIX);
    assertThat(result.series())
        .singleElement()
        .satisfies(
            series ->
                assertThat(series.points())
                    .containsExactly(
                        new QueryResult.Point(900_000, 3), new QueryResult.Point(960_000, 5)));
  }

  @Test
  void predictLinearOverASubqueryFitsTheLineAtTheEvaluationTime() {
    QueryPlan plan = QueryPlannerTest.plan("predict_linear(sum(x)[2m:1m], 60)");
    Answers answers =
        new Answers(plan)
            .range()
            .put("sum(x)", "a", 900_000, "{} 1")
            .put("sum(x)", "b", 900_000, "{} 2")
            .put("sum(x)", "a", 960_000, "{} 5");

    // 3 at 900s and 5 at 960s: slope 1/30 per second; the line is 6.33 at 1000s, 8.33 a minute on.
    assertThat(lines(plan.evaluateInstant(T, answers.build())))
        .containsExactly("{} 8.333333333333334");
  }

  @Test
  void rateOverASubqueryExtrapolatesAsPrometheus() {
    QueryPlan plan = QueryPlannerTest.plan("rate(sum(x)[2m:1m])");
    Answers answers =
        new Answers(plan)
            .range()
            .put("sum(x)", "a", 900_000, "{} 1")
            .put("sum(x)", "b", 900_000, "{} 2")
            .put("sum(x)", "a", 960_000, "{} 5");

    // Increase 2 over 60s sampled; 20s to the window's start and 40s to its end are both under
    // 1.1 * 60s, so it extrapolates to the whole 120s: 2 * 120 / 60 = 4, per second 4 / 120.
    assertThat(lines(plan.evaluateInstant(T, answers.build())))
        .containsExactly("{} 0.03333333333333333");
  }

  @Test
  void sortPutsNaNLastInBothDirectionsAndKeepsLabelOrderAmongEqualValues() {
    QueryPlan plan = QueryPlannerTest.plan("sort(x)");
    Answers answers =
        new Answers(plan)
            .put("x", "b", T, "{__name__=\"x\", i=\"1\"} NaN", "{__name__=\"x\", i=\"2\"} 5")
            .put("x", "a", T, "{__name__=\"x\", i=\"3\"} 5", "{__name__=\"x\", i=\"4\"} 1");
    QueryPlan descending = QueryPlannerTest.plan("sort_desc(x)");
    Answers same =
        new Answers(descending)
            .put("x", "b", T, "{__name__=\"x\", i=\"1\"} NaN", "{__name__=\"x\", i=\"2\"} 5")
            .put("x", "a", T, "{__name__=\"x\", i=\"3\"} 5", "{__name__=\"x\", i=\"4\"} 1");

    assertThat(lines(instant(plan, answers)))
        .containsExactly(
            "{__name__=\"x\", cluster=\"a\", i=\"4\"} 1",
            "{__name__=\"x\", cluster=\"a\", i=\"3\"} 5",
            "{__name__=\"x\", cluster=\"b\", i=\"2\"} 5",
            "{__name__=\"x\", cluster=\"b\", i=\"1\"} NaN");
    assertThat(lines(descending.evaluateInstant(T, same.build())))
        .containsExactly(
            "{__name__=\"x\", cluster=\"a\", i=\"3\"} 5",
            "{__name__=\"x\", cluster=\"b\", i=\"2\"} 5",
            "{__name__=\"x\", cluster=\"a\", i=\"4\"} 1",
            "{__name__=\"x\", cluster=\"b\", i=\"1\"} NaN");
  }

  @Test
  void varianceOfEqualValuesOnSeveralShardsIsExactlyZero() {
    QueryPlan plan = exact("stddev(x)");
    Answers answers =
        new Answers(plan)
            .put("x", "a", T, "{i=\"1\"} 0.1", "{i=\"2\"} 0.1", "{i=\"3\"} 0.1")
            .put("x", "b", T, "{i=\"4\"} 0.1");

    assertThat(lines(instant(plan, answers))).containsExactly("{} 0");
  }

  /**
   * {@code count_over_time(sum(x)[3h10m:1s])}: 11,401 grid points, more than a shard answers in one
   * range query (11,000): asked for in two chunks, joined before the window is read.
   */
  @Test
  void aSubqueryGridLongerThanOneShardAnswerIsAskedForInChunksAndJoined() {
    QueryPlan plan = QueryPlannerTest.plan("count_over_time(sum(x)[3h10m:1s])");
    long t = 20_000_000;
    List<QueryPlan.ShardRequest> requests = plan.instantRequests(t);

    assertThat(requests).hasSize(2);
    assertThat(requests.get(0).startMillis()).isEqualTo(t - 11_400_000);
    assertThat((requests.get(0).endMillis() - requests.get(0).startMillis()) / 1000 + 1)
        .isEqualTo(10_000);
    assertThat(requests.get(1).startMillis()).isEqualTo(requests.get(0).endMillis() + 1000);
    assertThat(requests.get(1).endMillis()).isEqualTo(t);
    List<List<QueryResult>> answers = new java.util.ArrayList<>();
    for (QueryPlan.ShardRequest request : requests) {
      List<QueryResult> perShard = new java.util.ArrayList<>();
      for (String shard : plan.shards()) {
        List<QueryResult.Point> points = new java.util.ArrayList<>();
        for (long time = request.startMillis();
            time <= request.endMillis();
            time += request.stepMillis()) {
          points.add(new QueryResult.Point(time, 1));
        }
        perShard.add(
            new QueryResult(
                QueryResult.Type.MATRIX,
                List.of(new QueryResult.Series(List.of(), points)),
                List.of()));
      }
      answers.add(perShard);
    }

    QueryResult result = plan.evaluateInstant(t, answers);

    assertThat(result.series())
        .singleElement()
        .satisfies(series -> assertThat(series.points().get(0).value()).isEqualTo(11_401.0));
  }

  /** Plans with Prometheus 2's functions accepted, as the router does for 2.x shards. */
  private static QueryPlan planPrometheus2(String query) {
    io.promroute.shard.ShardRewriter rewriter =
        io.promroute.shard.ShardRewriter.builder()
            .shardLabel("cluster")
            .shards(List.of("a", "b", "c"))
            .parserOptions(
                io.promroute.promql.ParserOptions.allFeatures().toBuilder()
                    .prometheus2Functions(true)
                    .build())
            .build();
    return QueryPlanner.plan(rewriter.rewrite(query));
  }

  /** sum(x) on the grid of [4m:1m] before T: 1, 4, 4, 4 at 780s, 840s, 900s, 960s. */
  private static Answers oneFourFourFour(QueryPlan plan) {
    return new Answers(plan)
        .range()
        .put("sum(x)", "a", 780_000, "{} 1")
        .put("sum(x)", "a", 840_000, "{} 3")
        .put("sum(x)", "b", 840_000, "{} 1")
        .put("sum(x)", "a", 900_000, "{} 4")
        .put("sum(x)", "c", 960_000, "{} 4");
  }

  @Test
  void holtWintersOverASubqueryOfMergedValuesSmoothsTheMergedPoints() {
    QueryPlan plan = planPrometheus2("holt_winters(sum(x)[4m:1m], 0.5, 0.5)");

    // Level 1, slope 3; then level 0.5 * 4 + 0.5 * (1 + 3) = 4; the slope stays 3 at the first
    // step, then 0.5 * (4 - 1) + 0.5 * 3 = 3 and level 0.5 * 4 + 0.5 * 7 = 5.5; then slope
    // 0.5 * 1.5 + 0.5 * 3 = 2.25 and level 2 + 0.5 * 7.75 = 5.875.
    assertThat(lines(plan.evaluateInstant(T, oneFourFourFour(plan).build())))
        .containsExactly("{} 5.875");
  }

  @Test
  void doubleExponentialSmoothingIsHoltWintersUnderItsPrometheus3Name() {
    QueryPlan plan = QueryPlannerTest.plan("double_exponential_smoothing(sum(x)[4m:1m], 0.5, 0.5)");

    assertThat(lines(plan.evaluateInstant(T, oneFourFourFour(plan).build())))
        .containsExactly("{} 5.875");
  }

  @Test
  void holtWintersWithAFactorOutsideZeroToOneIsPrometheusExecutionErrorOnlyWhenASeriesHasPoints() {
    QueryPlan plan = planPrometheus2("holt_winters(sum(x)[4m:1m], 1, 0.5)");
    QueryPlan trend = planPrometheus2("holt_winters(sum(x)[4m:1m], 0.5, -0.25)");

    assertThatThrownBy(() -> plan.evaluateInstant(T, oneFourFourFour(plan).build()))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.error().status()).isEqualTo(422))
        .hasMessageContaining("invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000");
    assertThatThrownBy(() -> trend.evaluateInstant(T, oneFourFourFour(trend).build()))
        .hasMessageContaining("invalid trend factor. Expected: 0 < tf < 1, got: -0.250000");
    assertThat(lines(plan.evaluateInstant(T, new Answers(plan).range().build()))).isEmpty();
  }

  @Test
  void firstOverTimeKeepsTheMetricNameAndTheTimestampFunctionsAnswerSeconds() {
    QueryPlan first = QueryPlannerTest.plan("first_over_time(max by (__name__) (x)[4m:1m])");
    QueryPlan maxAt = QueryPlannerTest.plan("ts_of_max_over_time(sum(x)[4m:1m])");
    QueryPlan minAt = QueryPlannerTest.plan("ts_of_min_over_time(sum(x)[4m:1m])");
    QueryPlan lastAt = QueryPlannerTest.plan("ts_of_last_over_time(sum(x)[4m:1m])");
    Answers names =
        new Answers(first)
            .range()
            .put("max by (__name__) (x)", "a", 840_000, "{__name__=\"x\"} 2")
            .put("max by (__name__) (x)", "b", 900_000, "{__name__=\"x\"} 3");

    assertThat(lines(first.evaluateInstant(T, names.build())))
        .containsExactly("{__name__=\"x\"} 2");
    // The maximum 4 is reached last at 960s; the minimum 1 only at 780s.
    assertThat(lines(maxAt.evaluateInstant(T, oneFourFourFour(maxAt).build())))
        .containsExactly("{} 960");
    assertThat(lines(minAt.evaluateInstant(T, oneFourFourFour(minAt).build())))
        .containsExactly("{} 780");
    assertThat(lines(lastAt.evaluateInstant(T, oneFourFourFour(lastAt).build())))
        .containsExactly("{} 960");
  }

  @Test
  void madOverTimeIsTheMedianDistanceToTheMedian() {
    QueryPlan plan = QueryPlannerTest.plan("mad_over_time(sum(x)[4m:1m])");

    // Median of 1, 4, 4, 4 is 4; distances 3, 0, 0, 0 have the median 0.
    assertThat(lines(plan.evaluateInstant(T, oneFourFourFour(plan).build())))
        .containsExactly("{} 0");
  }

  @Test
  void limitkKeepsTheFirstSeriesInGlobalLabelOrderWhereTheShardLabelReordersAShardsSeries() {
    QueryPlan plan = QueryPlannerTest.plan("limitk(1, x)");
    // On shard a, {__name__="x"} sorts before {__name__="x", branch="m"}; with cluster="a" added,
    // "branch" < "cluster" puts the second first: the global view keeps it.
    Answers answers =
        new Answers(plan)
            .put("x", "a", T, "{__name__=\"x\"} 1", "{__name__=\"x\", branch=\"m\"} 2")
            .put("x", "b", T, "{__name__=\"x\"} 3");

    assertThat(lines(instant(plan, answers)))
        .containsExactly("{__name__=\"x\", branch=\"m\", cluster=\"a\"} 2");
  }

  @Test
  void limitkPerGroupAnswersInPrometheusHeapOrderByValue() {
    QueryPlan plan = QueryPlannerTest.plan("limitk by (job) (2, x)");
    Answers answers =
        new Answers(plan)
            .put("x", "a", T, "{i=\"1\", job=\"api\"} 5", "{i=\"2\", job=\"db\"} 4")
            .put("x", "b", T, "{i=\"3\", job=\"api\"} 2", "{i=\"4\", job=\"api\"} 1");

    // Group api meets 5 (a, i=1), then 2 (b, i=3), which the heap moves before it; i=4 is third.
    assertThat(lines(instant(plan, answers)))
        .containsExactly(
            "{cluster=\"b\", i=\"3\", job=\"api\"} 2",
            "{cluster=\"a\", i=\"1\", job=\"api\"} 5",
            "{cluster=\"a\", i=\"2\", job=\"db\"} 4");
  }

  @Test
  void limitkOfNaNIsPrometheus3sErrorAndBelowOneIsEmpty() {
    QueryPlan nan = QueryPlannerTest.plan("limitk(NaN, x)");
    QueryPlan zero = QueryPlannerTest.plan("limitk(0.9, x)");
    Answers answers = new Answers(nan).put("x", "a", T, "{i=\"1\"} 1");

    assertThatThrownBy(() -> instant(nan, answers)).hasMessageContaining("Parameter value is NaN");
    assertThat(lines(instant(zero, new Answers(zero).put("x", "a", T, "{i=\"1\"} 1")))).isEmpty();
  }

  @Test
  void limitRatioKeepsExactlyTheSeriesItsComplementDropsHashingTheShardLabelToo() {
    QueryPlan kept = QueryPlannerTest.plan("limit_ratio(0.3, x)");
    QueryPlan complement = QueryPlannerTest.plan("limit_ratio(-0.7, x)");
    String[] series = new String[40];
    for (int i = 0; i < series.length; i++) {
      series[i] = "{__name__=\"x\", i=\"" + i + "\"} " + i;
    }
    List<String> keptLines =
        lines(instant(kept, new Answers(kept).put("x", "a", T, series).put("x", "b", T, series)));
    List<String> complementLines =
        lines(
            instant(
                complement,
                new Answers(complement).put("x", "a", T, series).put("x", "b", T, series)));

    // Every one of the 80 series is in exactly one of the two answers.
    assertThat(keptLines).doesNotContainAnyElementsOf(complementLines);
    assertThat(keptLines.size() + complementLines.size()).isEqualTo(80);
    assertThat(keptLines).isNotEmpty();
    assertThat(complementLines).isNotEmpty();
    // The same series on two shards differ by the shard label, so by hash: some are kept on one
    // only.
    long keptOnA = keptLines.stream().filter(line -> line.contains("cluster=\"a\"")).count();
    long keptOnB = keptLines.size() - keptOnA;
    assertThat(
            keptLines.stream()
                .map(line -> line.replaceAll("cluster=\"[ab]\", ", ""))
                .distinct()
                .count())
        .isGreaterThan(Math.max(keptOnA, keptOnB));
  }

  @Test
  void limitRatioOffsetIsTheStringlabelsHashOverTheLargestUint64() {
    // The encoding of {a="b"}: 1 "a" 1 "b"; its XXH64, as an unsigned fraction of 2^64.
    double offset = RatioSampler.offset(Labels.of("a", "b"));
    long hash = io.promroute.compat.XxHash64.hash(new byte[] {1, 'a', 1, 'b'});
    double expected = new java.math.BigDecimal(Long.toUnsignedString(hash)).doubleValue() / 0x1p64;

    assertThat(offset).isEqualTo(expected);
    assertThat(RatioSampler.keeps(1.0, Labels.of("a", "b"))).isTrue();
    assertThat(RatioSampler.keeps(-1.0, Labels.of("a", "b"))).isTrue();
  }

  @Test
  void sortByLabelOrdersTheMergedSeriesNaturallyThenByLabelSet() {
    QueryPlan plan = QueryPlannerTest.plan("sort_by_label(x, \"instance\")");
    QueryPlan descending = QueryPlannerTest.plan("sort_by_label_desc(x, \"instance\")");
    String[] onA = {"{instance=\"host10\"} 1", "{instance=\"host9\"} 2"};
    String[] onB = {"{instance=\"host2\"} 3", "{instance=\"host9\"} 4"};

    assertThat(lines(instant(plan, new Answers(plan).put("x", "a", T, onA).put("x", "b", T, onB))))
        .containsExactly(
            "{cluster=\"b\", instance=\"host2\"} 3",
            "{cluster=\"a\", instance=\"host9\"} 2",
            "{cluster=\"b\", instance=\"host9\"} 4",
            "{cluster=\"a\", instance=\"host10\"} 1");
    assertThat(
            lines(
                instant(
                    descending,
                    new Answers(descending).put("x", "a", T, onA).put("x", "b", T, onB))))
        .containsExactly(
            "{cluster=\"a\", instance=\"host10\"} 1",
            "{cluster=\"b\", instance=\"host9\"} 4",
            "{cluster=\"a\", instance=\"host9\"} 2",
            "{cluster=\"b\", instance=\"host2\"} 3");
  }

  @Test
  void nativeHistogramFunctionsOfMergedFloatsAreEmptyAsPrometheusSkipsFloats() {
    QueryPlan plan =
        QueryPlannerTest.plan("histogram_count(sum by (job) (x)) or histogram_sum(max(x))");

    assertThat(
            lines(
                instant(
                    plan,
                    new Answers(plan)
                        .put("sum by (job) (x)", "a", T, "{job=\"api\"} 3")
                        .put("max(x)", "a", T, "{} 3"))))
        .isEmpty();
  }
}
