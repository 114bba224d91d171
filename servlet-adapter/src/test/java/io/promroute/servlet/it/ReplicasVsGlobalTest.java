package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.router.ReplicaPolicy;
import io.promroute.router.ReplicaStatus;
import io.promroute.router.ShardTarget;
import io.promroute.servlet.PromRouteFilter;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.RouterVsGlobalTest.Case;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shard {@code a} as an HA pair of real Prometheus servers holding the same data: a replica started
 * for the test (listed first, so it answers) and the fixture's server. Killing the replica in the
 * middle of a series of requests changes no answer: each stays equal to the global Prometheus's.
 */
@ExtendWith(PrometheusExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReplicasVsGlobalTest {

  private static final Pattern QUERIES_SERVED =
      Pattern.compile(
          "prometheus_http_requests_total\\{code=\"200\",handler=\"/api/v1/(query|query_range|series)\"} (\\d+)");

  private PrometheusServer replica;
  private JettyRouter router;

  @AfterEach
  void stop() {
    if (router != null) {
      router.close();
    }
    if (replica != null) {
      replica.close();
    }
  }

  /**
   * Requests that shard {@code a} answers alone or with the others, over every kind of endpoint.
   */
  static List<Case> cases() {
    return List.of(
        RouterVsGlobalTest.query("http_requests_total{cluster=\"a\"}"),
        RouterVsGlobalTest.query(
            "sum by (cluster, job) (rate(http_requests_total{cluster=~\"a|c\"}[5m]))"),
        RouterVsGlobalTest.query("sum(memory_usage_bytes)"),
        RouterVsGlobalTest.range("rate(http_requests_total{cluster=\"a\", code=\"500\"}[5m])"),
        RouterVsGlobalTest.range("max by (cluster) (memory_usage_bytes)"),
        RouterVsGlobalTest.getOrPost(
            "/api/v1/series",
            "match[]",
            "up{cluster=\"a\"}",
            "start",
            RouterVsGlobalTest.START,
            "end",
            RouterVsGlobalTest.END),
        RouterVsGlobalTest.get(
            "/api/v1/label/job/values",
            "match[]",
            "up{cluster=~\"a|b\"}",
            "start",
            RouterVsGlobalTest.START,
            "end",
            RouterVsGlobalTest.END));
  }

  @Test
  void killingTheReplicaThatAnswersChangesNoAnswer(PrometheusFixture prometheus) throws Exception {
    replica = prometheus.startReplica("a");
    PromRouteFilter filter =
        PromRouteFilter.builder()
            .rewriter(TestRouters.rewriter(PrometheusFixture.SHARDS))
            .shard("a", ShardTarget.of(replica.hostPort(), prometheus.shard("a").hostPort()))
            .shard("b", ShardTarget.of(prometheus.shard("b").hostPort()))
            .shard("c", ShardTarget.of(prometheus.shard("c").hostPort()))
            .replicaPolicy(
                new ReplicaPolicy(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ZERO))
            .build();
    router = JettyRouter.start(filter);
    URI replicaUri = replica.baseUri();

    for (int round = 0; round < 4; round++) {
      if (round == 2) {
        long served = queriesServed(replicaUri);
        // Until now the first replica answered every request for shard a.
        assertThat(served).isGreaterThanOrEqualTo(2L * cases().size());
        replica.close();
        assertThat(filter.replicaStatus())
            .extracting(ReplicaStatus::inRotation)
            .containsExactly(true, true);
      }
      long start = System.nanoTime();
      int requests = 0;
      for (Case c : cases()) {
        for (String method : c.post() ? List.of("GET", "POST") : List.of("GET")) {
          assertAnswersAsGlobal(prometheus, method, c, "round " + round);
          requests++;
        }
      }
      // For the record (the global server's answers are timed too): what the fail-over costs.
      System.err.printf(
          "ReplicasVsGlobalTest: round %d (%s): %d requests in %d ms%n",
          round,
          round < 2 ? "both replicas up" : "first replica killed",
          requests,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    // The dead replica failed once, and has been skipped since.
    List<ReplicaStatus> status = filter.replicaStatus();
    assertThat(status)
        .extracting(
            ReplicaStatus::shard,
            ReplicaStatus::replica,
            ReplicaStatus::inRotation,
            ReplicaStatus::consecutiveFailures)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", 0, false, 1),
            org.assertj.core.groups.Tuple.tuple("a", 1, true, 0));
  }

  private void assertAnswersAsGlobal(
      PrometheusFixture prometheus, String method, Case c, String when) {
    Answer expected = PromApi.send(method, prometheus.global().baseUri(), c.path(), c.params());
    assertThat(expected.status())
        .as("the global Prometheus: %s", expected.summary())
        .isEqualTo(200);
    com.fasterxml.jackson.databind.JsonNode data =
        expected.data().has("result") ? expected.data().get("result") : expected.data();
    assertThat(data.isEmpty())
        .as("the global answer is empty, the case proves nothing: %s", c)
        .isFalse();

    Answer actual = PromApi.send(method, router.baseUri(), c.path(), c.params());

    assertThat(actual.status()).as("%s: router: %s", when, actual.summary()).isEqualTo(200);
    assertThat(
            PromApi.firstDifference(
                PromApi.comparable(expected.json(), c.ordered()),
                PromApi.comparable(actual.json(), c.ordered())))
        .as("%s: router answer vs global answer for %s %s", when, method, c)
        .isNull();
  }

  /** API requests a Prometheus answered with 200, from its own metrics. */
  private static long queriesServed(URI prometheus) throws Exception {
    String metrics =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(prometheus.resolve("/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher matcher = QUERIES_SERVED.matcher(metrics);
    long total = 0;
    while (matcher.find()) {
      total += Long.parseLong(matcher.group(2));
    }
    return total;
  }
}
