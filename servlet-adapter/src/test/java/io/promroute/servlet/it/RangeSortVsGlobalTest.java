package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sort at the top of a range query over series that each shard evaluates for its own: Prometheus
 * orders a range result by labels whatever the query says, so the router answers as it does for the
 * argument alone, merging the shards' answers as they stream instead of holding them to sort. The
 * router here holds at most one series of a merged answer ({@code maxSeries(1)}): a query it had to
 * hold is refused with 422, one that streams is answered. An instant query's order crosses shards:
 * held and sorted, so refused.
 */
@ExtendWith(PrometheusExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RangeSortVsGlobalTest {

  private PrometheusFixture prometheus;
  private JettyRouter router;

  @BeforeAll
  void startRouter(PrometheusFixture prometheus) throws Exception {
    this.prometheus = prometheus;
    router =
        JettyRouter.start(
            TestRouters.filter(prometheus.shardHostPorts(), builder -> builder.maxSeries(1)));
  }

  @AfterAll
  void stopRouter() throws Exception {
    if (router != null) {
      router.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "sort_desc(rate(http_requests_total[5m]))",
        "sort(http_requests_total)",
        "(sort_desc(memory_usage_bytes / on (cluster, instance, job) up))",
        "sort_desc(http_requests_total{cluster=~\"a|b\"} * 2)"
      })
  void aRangeQuerySortedAtTheTopStreamsAsItsArgumentAndAnswersAsTheGlobalPrometheus(String query) {
    Params range = RouterVsGlobalTest.range(query, RouterVsGlobalTest.STEP);

    Answer expected = PromApi.get(prometheus.global().baseUri(), "/api/v1/query_range", range);
    Answer actual = PromApi.get(router.baseUri(), "/api/v1/query_range", range);
    Answer instant =
        PromApi.get(
            router.baseUri(),
            "/api/v1/query",
            Params.of("query", query, "time", RouterVsGlobalTest.T));

    assertThat(expected.status()).as(expected.summary()).isEqualTo(200);
    assertThat(actual.status()).as(actual.summary()).isEqualTo(200);
    assertThat(
            PromApi.firstDifference(
                PromApi.comparable(expected.json(), true),
                PromApi.comparable(actual.json(), true),
                0))
        .as("router answer vs global answer, in order")
        .isNull();
    assertThat(instant.status()).as(instant.summary()).isEqualTo(422);
    assertThat(instant.error()).contains("limits.max_series");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sort_desc(sum by (job) (http_requests_total))", "sort(x) + 1"})
  void aSortOverSeriesMergedAcrossShardsOrBelowTheTopIsStillHeld(String query) {
    Params range =
        RouterVsGlobalTest.range(
            query.replace("x", "http_requests_total"), RouterVsGlobalTest.STEP);

    Answer actual = PromApi.get(router.baseUri(), "/api/v1/query_range", range);

    assertThat(actual.status()).as(actual.summary()).isEqualTo(422);
    assertThat(actual.error()).contains("limits.max_series");
  }
}
