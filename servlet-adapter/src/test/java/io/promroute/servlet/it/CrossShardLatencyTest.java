package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import java.net.URI;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A side-by-side latency measurement for the README: a cross-shard query through the router over
 * three shards versus the same query on the global Prometheus, sequential requests after a warm-up,
 * medians printed. Asserts only that the router's answers have the global answer's series (values
 * are compared in {@link CrossShardVsPrometheusTest}), not timings, which a shared machine
 * disturbs.
 */
@ExtendWith(PrometheusExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossShardLatencyTest {

  private static final int WARMUP = 20;
  private static final int RUNS = 60;

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

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sum(rate(http_requests_total[5m]))",
        "rate(http_requests_total{code=\"500\"}[5m])",
        "topk(10, rate(http_requests_total[5m]))",
        "topk(10, container_memory_working_set_bytes)"
      })
  void routerVersusGlobal(String query) {
    Params params = Params.of("query", query, "time", RouterVsGlobalTest.T);
    Answer global = PromApi.get(prometheus.global().baseUri(), "/api/v1/query", params);
    Answer routed = PromApi.get(router.baseUri(), "/api/v1/query", params);
    assertThat(routed.status()).as(routed.summary()).isEqualTo(200);
    assertThat(routed.data().path("result").size()).isEqualTo(global.data().path("result").size());

    double globalMillis = median(prometheus.global().baseUri(), params);
    double routerMillis = median(router.baseUri(), params);
    System.err.printf(
        "CrossShardLatencyTest: %-45s global %.2f ms, router over 3 shards %.2f ms, ratio %.2f%n",
        query, globalMillis, routerMillis, routerMillis / globalMillis);
  }

  private static double median(URI base, Params params) {
    for (int i = 0; i < WARMUP; i++) {
      PromApi.get(base, "/api/v1/query", params);
    }
    double[] millis = new double[RUNS];
    for (int i = 0; i < RUNS; i++) {
      long start = System.nanoTime();
      Answer answer = PromApi.get(base, "/api/v1/query", params);
      millis[i] = (System.nanoTime() - start) / 1e6;
      assertThat(answer.status()).isEqualTo(200);
    }
    Arrays.sort(millis);
    return millis[RUNS / 2];
  }
}
