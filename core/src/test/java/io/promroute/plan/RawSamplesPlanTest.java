package io.promroute.plan;

import static io.promroute.plan.Answers.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.promroute.api.ApiException;
import io.promroute.api.Cancellation;
import io.promroute.api.QueryResult;
import io.promroute.api.SampleLimit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A function over a range of raw samples whose other argument is computed across shards: the shards
 * send the raw samples of every step's window in one instant query per selector, and the router
 * applies the function step by step. Expected values are worked out by hand from the global view
 * (Prometheus 2.42's closed windows).
 */
class RawSamplesPlanTest {

  private static final long MINUTE = 60_000;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          quantile_over_time(scalar(sum(y)), x[5m])          | quantile_over_time(scalar(sum(shards(sum(y)))), windows(shards+label(x[5m])))
          predict_linear(x[1h] offset 5m, scalar(count(up))) | predict_linear(windows(shards+label(x[1h] offset 5m)), scalar(sum(shards(count(up)))))
          double_exponential_smoothing((x[10m]), scalar(avg(a)), 0.5) | double_exponential_smoothing(windows(shards+label(x[10m])), scalar(avg_merge(shards(avg(a)), shards(count(a)))), 0.5)
          quantile_over_time(scalar(sum(y)), rate(x[1m])[5m:1m]) | quantile_over_time(scalar(sum(shards(sum(y)))), windows(shards+label(rate(x[1m])[5m:1m])))
          max_over_time(predict_linear(x[5m], scalar(sum(y)))[10m:1m]) | max_over_time(subquery(predict_linear(windows(shards+label(x[5m])@grid(range 600000ms, step 60000ms, offset 0ms)), scalar(sum(shards(sum(y))@grid(range 600000ms, step 60000ms, offset 0ms)))), range 600000ms, step 60000ms, offset 0ms))
          """)
  void theRangeArgumentIsReadAsRawSamplesAndTheFunctionComputedInTheRouter(
      String query, String expected) {
    assertThat(QueryPlannerTest.plan(query)).hasToString(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          # instant: the range as written, at the query's time
          quantile_over_time(scalar(sum(y)), x[5m])                 | 0    | 0    | x[5m]                       | 0
          # range: widened by the span of the steps, asked at the last one
          quantile_over_time(scalar(sum(y)), x[5m])                 | 600  | 1200 | x[15m]                      | 1200
          quantile_over_time(scalar(sum(y)), x[5m] offset 1m)       | 600  | 1200 | x[15m] offset 1m            | 1200
          # with @, every window lies in the range as written (2.42 reads no sample outside it)
          quantile_over_time(scalar(sum(y)), x[5m] @ 100)           | 600  | 1200 | x[5m] @ 100.000             | 1200
          quantile_over_time(scalar(sum(y)), x[5m] @ start())       | 600  | 1200 | x[5m] @ 600.000             | 1200
          quantile_over_time(scalar(sum(y)), x[5m] @ end() offset 1m) | 600 | 1200 | x[5m] @ 1200.000 offset 1m | 1200
          quantile_over_time(scalar(sum(y)), rate(x[1m])[5m:1m])    | 600  | 1200 | rate(x[1m])[15m:1m]         | 1200
          quantile_over_time(scalar(sum(y)), rate(x[1m] @ start())[5m:]) | 600  | 1200 | rate(x[1m] @ 600.000)[15m:] | 1200
          """)
  void theShardsAreAskedOnceForEverySampleOfEveryWindow(
      String query, long startSeconds, long endSeconds, String shardQuery, long atSeconds) {
    QueryPlan plan = QueryPlannerTest.plan(query);
    List<QueryPlan.ShardRequest> requests =
        startSeconds == endSeconds
            ? plan.instantRequests(startSeconds * 1000)
            : plan.rangeRequests(startSeconds * 1000, endSeconds * 1000, MINUTE);

    QueryPlan.ShardRequest raw = requests.get(requests.size() - 1);
    assertThat(raw.query()).isEqualTo(shardQuery);
    assertThat(raw.range()).isFalse();
    assertThat(raw.startMillis()).isEqualTo(atSeconds * 1000);
  }

  /**
   * Shard a has x at 0, 60, 120, 180 s (1, 2, 3, 4), shard b at 60 and 150 s (10, 20); the quantile
   * comes from sum(y), 0 then 1 then 0.5. Windows [t - 2m, t], both ends included.
   */
  @Test
  void eachStepReadsItsOwnClosedWindowWithThatStepsParameter() {
    QueryPlan plan = QueryPlannerTest.plan("quantile_over_time(scalar(sum(y)), x[2m])");
    Answers answers = new Answers(plan).range();
    answers
        .put("sum(y)", "a", 120_000, "{} 0")
        .put("sum(y)", "a", 180_000, "{} 1")
        .put("sum(y)", "a", 240_000, "{} 0.5");
    for (long t = 0; t <= 180_000; t += 60_000) {
      answers.put("x[2m]", "a", t, "{__name__=\"x\",job=\"j\"} " + (t / 60_000 + 1));
    }
    answers
        .put("x[2m]", "b", 60_000, "{__name__=\"x\",job=\"j\"} 10")
        .put("x[2m]", "b", 150_000, "{__name__=\"x\",job=\"j\"} 20");

    QueryResult result = plan.evaluateRange(120_000, 240_000, MINUTE, answers.build());

    // a: [0,2m] = 1,2,3 → min 1; [1m,3m] = 2,3,4 → max 4; [2m,4m] = 3,4 → median 3.5.
    // b: [0,2m] = 10 → 10; [1m,3m] = 10,20 → 20; [2m,4m] = 20 → 20.
    assertThat(lines(result))
        .containsExactly(
            "{cluster=\"a\", job=\"j\"} 120:1 180:4 240:3.5",
            "{cluster=\"b\", job=\"j\"} 120:10 180:20 240:20");
  }

  @Test
  void predictLinearFitsTheLineAtEachStepsTimeWithThatStepsDuration() {
    QueryPlan plan = QueryPlannerTest.plan("predict_linear(x[2m], scalar(count(up)))");
    Answers answers = new Answers(plan).range();
    // count(up) is 60 then 120: x grows by 1 a minute, so the prediction is now + seconds / 60.
    answers.put("count(up)", "a", 120_000, "{} 60").put("count(up)", "b", 180_000, "{} 120");
    for (long t = 0; t <= 180_000; t += 30_000) {
      answers.put("x[2m]", "c", t, "{__name__=\"x\"} " + t / 60_000.0);
    }

    QueryResult result = plan.evaluateRange(120_000, 180_000, MINUTE, answers.build());

    assertThat(lines(result)).containsExactly("{cluster=\"c\"} 120:3 180:5");
  }

  @Test
  void aWindowWithAtShrinksWithTheStepsIn242AndSeriesWithoutSamplesThereGiveNothing() {
    QueryPlan plan = QueryPlannerTest.plan("quantile_over_time(scalar(sum(y)), x[1m] @ 60)");
    Answers answers = new Answers(plan).range();
    answers.put("sum(y)", "a", 120_000, "{} 1").put("sum(y)", "a", 180_000, "{} 1");
    answers
        .put("x[1m] @ 60.000", "a", 60_000, "{__name__=\"x\"} 1")
        .put("x[1m] @ 60.000", "a", 120_000, "{__name__=\"x\"} 7");
    answers.put("x[1m] @ 60.000", "b", 30_000, "{__name__=\"x\"} 5");

    QueryResult result = plan.evaluateRange(120_000, 180_000, MINUTE, answers.build());

    // Step 120 s: [0, 60 s]; step 180 s: [60 s, 60 s] (2.42: from @ + (t - start) - range to @).
    assertThat(lines(result))
        .containsExactly("{cluster=\"a\"} 120:1 180:1", "{cluster=\"b\"} 120:5");
  }

  @Test
  void theWindowsSamplesCountAgainstTheSampleLimit() {
    QueryPlan plan = QueryPlannerTest.plan("quantile_over_time(scalar(sum(y)), x[10m])");
    Answers answers = new Answers(plan).range();
    answers.put("sum(y)", "a", 600_000, "{} 0.5");
    for (long t = 0; t <= 600_000; t += 10_000) {
      answers.put("x[10m]", "a", t, "{} 1");
    }

    ApiException error =
        catchThrowableOfType(
            ApiException.class,
            () ->
                plan.evaluateInstant(
                    600_000, answers.build(), Cancellation.none(), SampleLimit.of(40)));

    assertThat(error).isNotNull();
    assertThat(error.error().status()).isEqualTo(422);
    assertThat(error.error().message())
        .isEqualTo("query processing would load too many samples into memory in query execution");
    assertThat(
            lines(
                plan.evaluateInstant(
                    600_000, answers.build(), Cancellation.none(), SampleLimit.of(100))))
        .containsExactly("{cluster=\"a\"} 1");
  }

  @Test
  void aCanceledEvaluationStopsAtTheNextStep() {
    QueryPlan plan = QueryPlannerTest.plan("quantile_over_time(scalar(sum(y)), x[10m])");
    Answers answers = new Answers(plan).range();
    answers.put("x[10m]", "a", 0, "{} 1");

    ApiException error =
        catchThrowableOfType(
            ApiException.class,
            () ->
                plan.evaluateRange(
                    0,
                    3_600_000,
                    1_000,
                    answers.build(),
                    Cancellation.until(System.nanoTime() + 60_000_000_000L, () -> true),
                    SampleLimit.unlimited()));

    assertThat(error).isNotNull();
    assertThat(error.error().errorType()).isEqualTo("canceled");
  }

  @Test
  void explainSaysTheRangeIsFetchedAsRawSamples() {
    String json = QueryPlannerTest.plan("quantile_over_time(scalar(sum(y)), x[5m])").explainJson();

    assertThat(json).contains("{\"query\":\"x[5m]\",\"addsShardLabel\":true,\"rawSamples\":");
  }
}
