package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Operations between vectors whose sides are empty on some shards, where one Prometheus holding
 * every shard's series and each shard alone differ: Prometheus checks the "one" side for duplicate
 * match groups only when neither side is empty, so the global evaluation fails where a shard
 * holding the duplicates but none of the other side would answer nothing. The router guards the
 * shard queries (EmptySideGuard) and, on a shard's duplicate error, matches the sides itself: its
 * answer is the global Prometheus's, error or not, for instant and range queries, sent whole to the
 * shards or inside a cross-shard plan.
 *
 * <p>The data ({@link FixtureData}): {@code batch_last_success_timestamp_seconds} is on shard c
 * only; {@code queue_depth} has two series on shard b (duplicates under {@code on (cluster)}) and
 * one on a and c.
 */
@ExtendWith(PrometheusExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmptySideVsGlobalTest {

  private PrometheusFixture prometheus;
  private JettyRouter router;

  @BeforeAll
  void startRouter(PrometheusFixture prometheus) throws Exception {
    this.prometheus = prometheus;
    router = JettyRouter.start(TestRouters.filter(prometheus.shardHostPorts(), builder -> {}));
  }

  @AfterAll
  void stopRouter() throws Exception {
    if (router != null) {
      router.close();
    }
  }

  static Stream<Arguments> queries() {
    List<String> queries =
        List.of(
            // The global evaluation fails: b's duplicates, c's other side.
            "batch_last_success_timestamp_seconds * on (cluster) group_left queue_depth",
            "queue_depth * on (cluster) group_right batch_last_success_timestamp_seconds",
            "batch_last_success_timestamp_seconds / on (cluster) queue_depth",
            "batch_last_success_timestamp_seconds > bool on (cluster) group_left queue_depth",
            "sum(batch_last_success_timestamp_seconds * on (cluster) group_left queue_depth)",
            "max by (cluster) (batch_last_success_timestamp_seconds - on (cluster) group_left"
                + " queue_depth)",
            // One shard's operation inside a plan over every shard: that shard's error is the
            // global one (guarded, it asked the router to match the sides, which left the
            // operation to the same shard, guarded again, until the deadline).
            "(memory_usage_bytes{cluster=\"b\"} % on (cluster) queue_depth{cluster=\"b\"})"
                + " - scalar(sum(memory_usage_bytes))",
            "sum by (cluster) (memory_usage_bytes{cluster=\"b\"} / on (cluster) group_left"
                + " queue_depth{cluster=\"b\"}) + on (cluster) group_left count(up)",
            // One shard fails matching (a: many series per cluster on the left), another on its
            // right side's duplicates (b): Prometheus checks the right side first, over every
            // shard's series.
            "memory_usage_bytes{cluster=~\"a|b\"} > on (cluster) queue_depth{cluster=~\"a|b\"}",
            "memory_usage_bytes > on (cluster) queue_depth",
            // The other side is empty everywhere: no error, no series.
            "batch_last_success_timestamp_seconds{job=\"none\"} * on (cluster) group_left"
                + " queue_depth",
            "sum(batch_last_success_timestamp_seconds{job=\"none\"} * on (cluster) group_left"
                + " queue_depth)",
            // No duplicates: the guard changes nothing.
            "batch_last_success_timestamp_seconds * on (cluster) group_left"
                + " queue_depth{queue=\"default\"}",
            "memory_usage_bytes / on (cluster, instance, job) up",
            "memory_usage_bytes / up",
            "sum by (cluster) (memory_usage_bytes / on (cluster, instance, job) up)",
            "queue_depth > on (cluster, queue) queue_depth - 1");
    return queries.stream()
        .flatMap(query -> Stream.of(Arguments.of(query, false), Arguments.of(query, true)));
  }

  /** "found duplicate series for the match group {...} on the right hand-side". */
  private static String matchGroupAndSide(String error) {
    int end = error.indexOf(" hand-side");
    return end < 0 ? error : error.substring(0, end);
  }

  @ParameterizedTest(name = "{0} range={1}")
  @MethodSource("queries")
  void answersAsTheGlobalPrometheus(String query, boolean range) {
    Params params =
        range
            ? RouterVsGlobalTest.range(query, RouterVsGlobalTest.STEP)
            : Params.of("query", query, "time", RouterVsGlobalTest.T);
    String path = range ? "/api/v1/query_range" : "/api/v1/query";

    Answer expected = PromApi.get(prometheus.global().baseUri(), path, params);
    Answer actual = PromApi.get(router.baseUri(), path, params);

    assertThat(actual.status())
        .as("router %s vs global %s", actual.summary(), expected.summary())
        .isEqualTo(expected.status());
    if (expected.status() != 200) {
      assertThat(actual.errorType()).as(actual.summary()).isEqualTo(expected.errorType());
      // Which two series it names is the order Prometheus meets them in; the group is the same.
      assertThat(matchGroupAndSide(actual.error()))
          .as(actual.summary())
          .isEqualTo(matchGroupAndSide(expected.error()));
      return;
    }
    assertThat(
            PromApi.firstDifference(
                PromApi.comparable(expected.json(), false),
                PromApi.comparable(actual.json(), false),
                1e-9))
        .as("router answer vs global answer")
        .isNull();
  }
}
