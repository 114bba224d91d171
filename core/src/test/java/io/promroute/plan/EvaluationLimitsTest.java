package io.promroute.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.promroute.api.ApiException;
import io.promroute.api.Cancellation;
import io.promroute.api.SampleLimit;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The router's evaluation stops when its request's deadline passes or its client leaves, and
 * refuses to hold more samples than its limit, with Prometheus's errors.
 */
class EvaluationLimitsTest {

  /**
   * A subquery over a merged sum, one grid point per second over 3 hours, at every millisecond of a
   * minute: tens of billions of point evaluations, far more than a test can wait for.
   */
  private static QueryPlan endless() {
    return QueryPlannerTest.plan("max_over_time(sum(x)[3h:1s])");
  }

  private static List<List<io.promroute.api.QueryResult>> someAnswers(QueryPlan plan) {
    Answers answers = new Answers(plan).range();
    for (long t = 0; t <= 60_000; t += 1_000) {
      answers.put("sum(x)", "a", t, "{} 1");
    }
    return answers.build(plan.rangeRequests(0, 60_000, 1));
  }

  @Test
  void anEvaluationPastItsDeadlineStopsWithinASecondWithPrometheusTimeout() {
    QueryPlan plan = endless();
    List<List<io.promroute.api.QueryResult>> answers = someAnswers(plan);
    Cancellation deadline = Cancellation.until(System.nanoTime() + 200_000_000L, () -> false);

    long start = System.nanoTime();
    ApiException error =
        catchThrowableOfType(
            ApiException.class,
            () -> plan.evaluateRange(0, 60_000, 1, answers, deadline, SampleLimit.unlimited()));
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(error).isNotNull();
    assertThat(error.error().status()).isEqualTo(503);
    assertThat(error.error().errorType()).isEqualTo("timeout");
    assertThat(error.error().message()).isEqualTo("query timed out in expression evaluation");
    assertThat(elapsedMillis).isLessThan(1_200);
  }

  @Test
  void anEvaluationWhoseClientLeftStopsWithPrometheusCanceled() throws InterruptedException {
    QueryPlan plan = endless();
    List<List<io.promroute.api.QueryResult>> answers = someAnswers(plan);
    AtomicBoolean gone = new AtomicBoolean();
    Cancellation cancellation = Cancellation.until(System.nanoTime() + 60_000_000_000L, gone::get);
    java.util.concurrent.atomic.AtomicReference<Throwable> outcome =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread evaluation =
        new Thread(
            () -> {
              try {
                plan.evaluateRange(0, 60_000, 1, answers, cancellation, SampleLimit.unlimited());
              } catch (Throwable t) {
                outcome.set(t);
              }
            });
    evaluation.start();
    Thread.sleep(100);
    long left = System.nanoTime();
    gone.set(true);
    evaluation.join(5_000);

    assertThat(evaluation.isAlive()).as("still evaluating 5 s after the client left").isFalse();
    assertThat((System.nanoTime() - left) / 1_000_000).isLessThan(1_000);
    assertThat(outcome.get()).isInstanceOf(ApiException.class);
    ApiException error = (ApiException) outcome.get();
    assertThat(error.error().status()).isEqualTo(499);
    assertThat(error.error().errorType()).isEqualTo("canceled");
    assertThat(error.error().message()).isEqualTo("query was canceled in expression evaluation");
  }

  @Test
  void aSubqueryHoldingMoreSamplesThanTheLimitIsPrometheusTooManySamples() {
    QueryPlan plan = endless();
    List<List<io.promroute.api.QueryResult>> answers = someAnswers(plan);

    // One step's subquery holds 61 points (one per second of the answers): over a limit of 50.
    ApiException error =
        catchThrowableOfType(
            ApiException.class,
            () ->
                plan.evaluateRange(
                    60_000, 60_000, 1, answers, Cancellation.none(), SampleLimit.of(50)));

    assertThat(error).isNotNull();
    assertThat(error.error().status()).isEqualTo(422);
    assertThat(error.error().errorType()).isEqualTo("execution");
    assertThat(error.error().message())
        .isEqualTo("query processing would load too many samples into memory in query execution");
    assertThat(
            plan.evaluateRange(60_000, 60_000, 1, answers, Cancellation.none(), SampleLimit.of(100))
                .series())
        .hasSize(1);
  }

  @Test
  void aRangeAnswerWithMoreSamplesThanTheLimitIsRefused() {
    QueryPlan plan = QueryPlannerTest.plan("sum(x)");
    Answers answers = new Answers(plan).range();
    for (long t = 0; t <= 10_000; t += 1_000) {
      answers.put("sum(x)", "a", t, "{} 1");
    }

    ApiException error =
        catchThrowableOfType(
            ApiException.class,
            () ->
                plan.evaluateRange(
                    0, 10_000, 1_000, answers.build(), Cancellation.none(), SampleLimit.of(10)));

    assertThat(error).isNotNull();
    assertThat(error.error().status()).isEqualTo(422);
    assertThat(
            plan.evaluateRange(
                    0, 10_000, 1_000, answers.build(), Cancellation.none(), SampleLimit.of(11))
                .series()
                .get(0)
                .points())
        .hasSize(11);
  }
}
