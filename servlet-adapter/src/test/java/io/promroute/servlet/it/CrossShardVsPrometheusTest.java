package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Queries that combine series of several shards, answered by the router from the three shard
 * servers through a cross-shard plan, against the global Prometheus holding every shard's series
 * with {@code cluster="<shard>"}: instant and range, same series, same values. A relative float
 * tolerance of 1e-9 is allowed only where CROSS-SHARD.md says the last bits may differ (partial
 * sums of non-exact values added in another order, avg and stddev merges); elsewhere values must be
 * equal.
 */
@ExtendWith(PrometheusExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossShardVsPrometheusTest {

  private static final String T = RouterVsGlobalTest.T;
  private static final double TOLERANCE = 1e-9;

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

  /**
   * @param query the PromQL
   * @param approximate the last bits of values may differ (else exact)
   * @param ordered the series order is part of the answer (sort, sort_desc)
   * @param mayBeEmpty the global answer may be empty
   */
  record Case(String query, boolean approximate, boolean ordered, boolean mayBeEmpty) {
    @Override
    public String toString() {
      return query;
    }
  }

  static Case exact(String query) {
    return new Case(query, false, false, false);
  }

  static Case approx(String query) {
    return new Case(query, true, false, false);
  }

  static Case ordered(String query) {
    return new Case(query, false, true, false);
  }

  static Case empty(String query) {
    return new Case(query, false, false, true);
  }

  static List<Case> cases() {
    return List.of(
        approx("sum(rate(http_requests_total[5m]))"),
        approx("sum by (job) (rate(http_requests_total[5m]))"),
        exact("sum(memory_usage_bytes)"),
        approx("avg by (job) (memory_usage_bytes)"),
        approx("avg(rate(http_requests_total{cluster=~\"a|b\"}[5m]))"),
        exact("topk(3, memory_usage_bytes)"),
        exact("bottomk by (job) (2, memory_usage_bytes)"),
        approx("topk(3, sum by (job, instance) (rate(http_requests_total[5m])))"),
        exact("count(up)"),
        exact("count by (job) (http_requests_total)"),
        exact("min by (job) (memory_usage_bytes)"),
        exact("max(memory_usage_bytes)"),
        exact("group by (job) (up)"),
        empty("max(memory_usage_bytes) < 5"),
        exact("max(memory_usage_bytes) > 5"),
        exact("2 - max(memory_usage_bytes)"),
        exact("topk(1, memory_usage_bytes) * -1"),
        approx(
            "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"),
        approx(
            "histogram_quantile(0.5, sum by (le, job) (rate(http_request_duration_seconds_bucket[10m])))"),
        approx(
            "sum(rate(http_requests_total{code=\"500\"}[5m])) / sum(rate(http_requests_total[5m]))"),
        exact("scalar(sum(up))"),
        exact("memory_usage_bytes / scalar(count(memory_usage_bytes))"),
        ordered("sort_desc(sum by (job, instance) (memory_usage_bytes))"),
        ordered("sort(max by (instance) (memory_usage_bytes))"),
        exact("absent(nonexistent_metric{job=\"x\"})"),
        empty("absent(up{job=\"api\"})"),
        exact("absent(sum(nonexistent_metric))"),
        exact("count_values(\"value\", up)"),
        exact("count_values by (job) (\"bytes\", memory_usage_bytes)"),
        exact("quantile(0.5, memory_usage_bytes)"),
        exact("quantile by (job) (0.9, memory_usage_bytes)"),
        approx("stddev(memory_usage_bytes)"),
        approx("stdvar by (job) (rate(http_requests_total[5m]))"),
        exact("sum(up) or vector(0)"),
        exact("nonexistent_metric or vector(0)"),
        exact("queue_depth or vector(0)"),
        exact(
            "memory_usage_bytes / on (instance, job) group_left () max by (instance, job) (memory_usage_bytes)"),
        exact("abs(2 - max by (job) (memory_usage_bytes))"),
        exact("sum by (job) (up) > bool 1"),
        exact("-sum(memory_usage_bytes)"),
        exact("time() - max(batch_last_success_timestamp_seconds)"),
        exact("sum(up{cluster=~\"a|b\"}) + sum(up{cluster=~\"a|b\"} offset 5m)"),
        exact("up and on (job) sum by (job) (up)"),
        exact("label_replace(sum by (job) (up), \"j\", \"$1-x\", \"job\", \"(a.*)\")"),
        exact("label_replace(up, \"where\", \"in-$1\", \"cluster\", \"(.*)\")"),
        exact("label_join(up, \"cluster\", \"/\", \"cluster\", \"job\")"),
        // Subqueries over merged values: the inner query on the subquery's grid on every shard.
        approx("max_over_time(sum(rate(http_requests_total[5m]))[30m:1m])"),
        approx("avg_over_time(sum by (job) (memory_usage_bytes)[10m:])"),
        approx("rate(sum(http_requests_total)[10m:1m])"),
        approx("increase(sum by (job) (http_requests_total)[7m:45s] offset 3m)"),
        exact("min_over_time((2 - max(memory_usage_bytes))[15m:30s] offset 5m)"),
        exact("count_over_time(sum(up)[5m:1m])"),
        exact("quantile_over_time(0.5, sum(memory_usage_bytes)[10m:1m])"),
        approx("deriv(sum(http_requests_total)[10m:1m])"),
        exact("changes(max(memory_usage_bytes)[20m:1m])"),
        exact("last_over_time(max(memory_usage_bytes)[3m:])"),
        // ... with @, nested, under absent_over_time.
        approx("max_over_time(sum(rate(http_requests_total[5m]))[30m:1m] @ " + T + ")"),
        approx("rate(sum(http_requests_total)[10m:1m] @ " + T + " offset 5m)"),
        exact("min_over_time(max(memory_usage_bytes)[15m:2m] @ end())"),
        exact("count_over_time(sum(up)[20m:1m] @ start())"),
        exact("max_over_time(max_over_time(sum(memory_usage_bytes)[5m:1m])[30m:5m])"),
        approx("avg_over_time(rate(sum(http_requests_total)[10m:1m])[20m:2m] offset 3m)"),
        exact("absent_over_time(sum(nonexistent_metric)[5m:1m])"),
        // Every other range function over merged values (holt_winters: the shards run 2.42).
        approx("holt_winters(sum(rate(http_requests_total[5m]))[1h:1m], 0.5, 0.5)"),
        approx("holt_winters(sum by (job) (memory_usage_bytes)[30m:2m], 0.2, 0.7)"),
        exact("present_over_time(sum(up)[5m:1m])"),
        exact("resets(max(memory_usage_bytes)[30m:1m])"),
        exact("irate(max(http_requests_total)[10m:1m])"),
        exact("idelta(max by (job) (memory_usage_bytes)[10m:1m])"),
        exact("last_over_time(max by (job) (memory_usage_bytes)[10m:1m])"),
        exact("quantile_over_time(0.25, max by (job) (memory_usage_bytes)[30m:1m])"),
        // Native-histogram functions skip float samples: over merged floats, nothing.
        empty("histogram_count(sum by (job) (memory_usage_bytes))"),
        empty("histogram_sum(max(up)) or histogram_count(sum(rate(http_requests_total[5m])))"),
        empty("histogram_fraction(0, 1, sum(rate(http_requests_total[5m])))"),
        empty("absent_over_time(sum(up)[5m:1m])"),
        // Each selector reads the shards its own matchers select, every shard without one (issue
        // 12).
        approx(
            "sum(rate(http_requests_total{cluster=\"b\"}[5m])) / sum(rate(http_requests_total[5m]))"),
        exact("up{cluster=\"a\"} and on (instance) memory_usage_bytes > 0"),
        exact("sum(up{cluster=\"c\"}) / count(up{cluster=~\"a|c\"})"),
        exact(
            "sum by (cluster, job) (memory_usage_bytes{cluster=\"a\"}) / ignoring (cluster)"
                + " sum by (cluster, job) (memory_usage_bytes{cluster=\"b\"})"),
        empty("up{cluster=\"c\"} - up{cluster=\"b\"}"),
        approx(
            "sum by (job) (rate(http_requests_total{cluster=\"c\"}[5m])) / ignoring (job) group_left ()"
                + " sum(rate(http_requests_total{cluster=\"b\"}[5m]))"),
        empty("up{cluster=\"b\", cluster=\"c\"}"),
        exact("up{cluster=\"b\", cluster=\"c\"} or up{cluster=\"a\"}"),
        exact("up{cluster=\"zzz\"} or up"),
        exact("absent(up{cluster=\"zzz\"}) or up{cluster=\"a\"}"),
        exact("count(up{cluster!=\"a\"}) + count(up{cluster=~\"a|b\"})"),
        exact(
            "memory_usage_bytes{cluster=~\"a|b\"} * on (job, instance) group_left () up{cluster=~\"b|c\"}"),
        exact(
            "max by (cluster, job) (memory_usage_bytes{cluster=~\"a|b\"}) - ignoring (cluster) group_left ()"
                + " max by (cluster, job) (memory_usage_bytes{cluster=\"c\"})"),
        exact(
            "max by (cluster) (memory_usage_bytes{cluster=\"a\"}) or max by (cluster) (memory_usage_bytes)"),
        exact("topk(2, memory_usage_bytes{cluster=\"b\"} or queue_depth{cluster=~\"a|c\"})"),
        exact("memory_usage_bytes unless on (instance) up{cluster=\"b\"}"),
        exact("memory_usage_bytes{cluster=\"a\"} / memory_usage_bytes"),
        exact(
            "up{cluster=~\"a|b\"} * on (cluster, instance, job) group_left () memory_usage_bytes{cluster=~\"b|c\"}"),
        approx(
            "max_over_time((sum(rate(http_requests_total{cluster=\"a\"}[5m])) / sum(rate(http_requests_total[5m])))[20m:1m])"),
        // A function over raw samples whose parameter is computed across shards: the raw samples of
        // every step's window in one shard request per selector, the function in the router.
        // VARYING changes at every step (queue_depth's i % 10), count(up) / 24 is 0.5 throughout.
        exact("quantile_over_time(" + VARYING + ", memory_usage_bytes[5m])"),
        exact(
            "quantile_over_time(scalar(count(up)) / 24, memory_usage_bytes{cluster=~\"a|b\"}[5m] offset 10m)"),
        exact("quantile_over_time(" + VARYING + ", memory_usage_bytes[5m] @ " + T + ")"),
        exact("quantile_over_time(scalar(sum(up)) / 10, queue_depth{cluster=\"b\"}[3m] @ start())"),
        exact(
            "quantile_over_time("
                + VARYING
                + ", rate(http_requests_total{code=\"500\"}[5m])[10m:1m])"),
        exact(
            "quantile_over_time(scalar(count(up)) / 24, max by (job) (queue_depth)[10m:1m] offset 2m)"
                + " + on (job) group_left () max by (job) (quantile_over_time("
                + VARYING
                + ", queue_depth{queue=\"default\"}[2m]))"),
        exact("predict_linear(http_requests_total{code=\"500\"}[10m], scalar(count(up)) * 60)"),
        exact("predict_linear(memory_usage_bytes{cluster=\"c\"}[15m], " + VARYING + " * 600)"),
        exact(
            "predict_linear(http_requests_total{method=\"GET\"}[10m] @ end() offset 5m, scalar(count(up)))"),
        exact("predict_linear(queue_depth[5m] offset 1m, scalar(sum(up)))"),
        exact("holt_winters(memory_usage_bytes{cluster=\"b\"}[10m], scalar(count(up)) / 24, 0.5)"),
        exact("holt_winters(queue_depth[10m], " + VARYING + " + 0.05, 0.3)"),
        exact("holt_winters(queue_depth[10m] @ " + T + ", 0.5, " + VARYING + " + 0.05)"),
        // The selector reads other shards than the parameter: each shard gets its own query.
        exact(
            "quantile_over_time(scalar(count(up{cluster=\"a\"})) / 8, memory_usage_bytes{cluster=~\"b|c\"}[5m])"),
        exact(
            "predict_linear(queue_depth{cluster!=\"b\"}[10m] offset 3m, scalar(max(queue_depth{cluster=\"b\"})))"),
        // Inside a subquery over merged values: the raw samples of the subquery's grid.
        exact(
            "max_over_time(quantile_over_time(scalar(count(up)) / 24, memory_usage_bytes[5m])[10m:1m])"),
        exact(
            "min_over_time(quantile_over_time("
                + VARYING
                + ", queue_depth[3m] @ "
                + T
                + ")[10m:1m])"),
        exact(
            "max_over_time(predict_linear(http_requests_total{cluster=\"c\"}[5m] offset 1m, scalar(sum(up)))[10m:2m] @ end())"));
  }

  /** A parameter computed across shards that differs from one step to the next, in [0, 0.9]. */
  private static final String VARYING = "scalar(max(queue_depth{queue=\"default\"})) % 10 / 10";

  Stream<Arguments> requests() {
    return cases().stream()
        .flatMap(c -> Stream.of(Arguments.of("instant", c), Arguments.of("range", c)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("requests")
  void answersAsTheGlobalPrometheus(String kind, Case c) {
    String path = kind.equals("instant") ? "/api/v1/query" : "/api/v1/query_range";
    Params params =
        kind.equals("instant")
            ? Params.of("query", c.query(), "time", T)
            : RouterVsGlobalTest.range(c.query(), "60");
    Answer expected = PromApi.get(prometheus.global().baseUri(), path, params);
    assertThat(expected.status())
        .as("the global Prometheus: %s", expected.summary())
        .isEqualTo(200);
    Answer actual = PromApi.get(router.baseUri(), path, params);
    assertThat(actual.status()).as("router: %s", actual.summary()).isEqualTo(200);
    JsonNode want = expected.json().path("data");
    JsonNode got = actual.json().path("data");
    if (!c.mayBeEmpty()) {
      assertThat(want.path("result").isEmpty())
          .as("the global answer is empty, the case proves nothing")
          .isFalse();
    }
    assertThat(got.path("resultType").asText()).isEqualTo(want.path("resultType").asText());
    assertThat(difference(want.path("result"), got.path("result"), c))
        .as("router vs global for %s %s", kind, c)
        .isNull();
  }

  /** The router writes timestamps and values exactly as Prometheus spells them. */
  @ParameterizedTest(name = "time fraction \"{0}\"")
  @org.junit.jupiter.params.provider.ValueSource(strings = {".5", ".125", ".001", ""})
  void timestampsAndValuesAreSpelledAsPrometheusSpellsThem(String fraction) {
    Params params =
        Params.of(
            "query",
            "sum(up) * 1e-7 or sum(up) * 1e22 or vector(-0)",
            "time",
            FixtureData.MID.getEpochSecond() + fraction);
    Answer expected = PromApi.get(prometheus.global().baseUri(), "/api/v1/query", params);
    Answer actual = PromApi.get(router.baseUri(), "/api/v1/query", params);

    assertThat(expected.status()).as(expected.summary()).isEqualTo(200);
    assertThat(actual.text()).isEqualTo(expected.text());
  }

  /** With exact sums, sums of non-integer rates equal Prometheus's to the last bit. */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "sum(rate(http_requests_total[5m]))",
        "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
        "avg by (job) (rate(http_requests_total[5m]))",
        "stddev(memory_usage_bytes)",
        "stdvar by (job) (rate(http_requests_total[5m]))"
      })
  void exactSumsAreTheSameToTheLastBit(String query) throws Exception {
    try (JettyRouter exact =
        JettyRouter.start(
            TestRouters.filter(
                prometheus.shardHostPorts(), builder -> builder.exactCrossShardSums(true)))) {
      Params params = Params.of("query", query, "time", T);
      Answer expected = PromApi.get(prometheus.global().baseUri(), "/api/v1/query", params);
      Answer actual = PromApi.get(exact.baseUri(), "/api/v1/query", params);

      assertThat(expected.data().path("result").isEmpty()).isFalse();
      assertThat(
              difference(
                  expected.data().path("result"), actual.data().path("result"), exact(query)))
          .isNull();
    }
  }

  /**
   * A subquery over merged values whose grid has more points than a shard answers in one range
   * query (11,000): a 30-day panel of a 1m grid, an instant {@code [3h10m:1s]}. The router asks for
   * the grid in chunks.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("longGrids")
  void subqueryGridsLongerThanOneShardAnswerAreAnswered(String path, Params params) {
    Answer expected = PromApi.get(prometheus.global().baseUri(), path, params);
    assertThat(expected.status())
        .as("the global Prometheus: %s", expected.summary())
        .isEqualTo(200);
    assertThat(expected.data().path("result").isEmpty())
        .as("global answer: %s", expected.summary())
        .isFalse();
    Answer actual = PromApi.get(router.baseUri(), path, params);
    assertThat(actual.status()).as("router: %s", actual.summary()).isEqualTo(200);
    assertThat(
            difference(
                expected.data().path("result"),
                actual.data().path("result"),
                approx(params.toString())))
        .isNull();
  }

  static Stream<Arguments> longGrids() {
    long end = FixtureData.END.getEpochSecond();
    return Stream.of(
        Arguments.of(
            "/api/v1/query_range",
            Params.of(
                "query",
                "max_over_time(sum(rate(http_requests_total[5m]))[1h:])",
                "start",
                Long.toString(end - 30 * 86_400),
                "end",
                Long.toString(end),
                "step",
                "10800")),
        Arguments.of(
            "/api/v1/query", Params.of("query", "count_over_time(sum(up)[3h10m:1s])", "time", T)));
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        // One-to-one matching where several shards' series share the matching labels.
        Arguments.of("memory_usage_bytes * on (job) sum by (job) (memory_usage_bytes)"),
        // The "one" side has duplicates once the shards' series meet.
        Arguments.of(
            "sum by (job) (memory_usage_bytes) / on (job) group_right () memory_usage_bytes / on (instance) up"),
        Arguments.of("sum by (job) (up) / on (job) memory_usage_bytes"),
        // Overwriting the shard label makes the shards' series collide (queue="default" is on
        // every shard with the same labels).
        Arguments.of(
            "sum by (cluster) (label_replace(queue_depth{queue=\"default\"}, \"cluster\", \"all\", \"\", \"\"))"),
        // A match across shards creates the duplicate: the right side's instances repeat on every
        // shard.
        Arguments.of("rate(http_requests_total{cluster=\"b\"}[5m]) / on (instance) group_left up"),
        Arguments.of("up{cluster=\"a\"} * on (instance) up"),
        // Sides reading different shards, matched on the shard label: the duplicates of shard b's
        // right side count although its left side is empty there.
        Arguments.of(
            "up{cluster=~\"a|b\"} * on (cluster, instance) group_left () memory_usage_bytes{cluster=~\"b|c\"}"),
        // A subquery with @ in parentheses at the top: 2.42 evaluates it as a step-invariant
        // expression and wants one point per series.
        Arguments.of("(sum(up)[30m:7m] @ end())"),
        Arguments.of("((max_over_time(sum by (job) (up)[5m:])[30m:7m] @ " + T + "))"),
        // holt_winters over merged values checks its factors as 2.42 does, spelled with Go's %f.
        Arguments.of("holt_winters(max(memory_usage_bytes)[10m:1m], 1, 0.5)"),
        Arguments.of("holt_winters(max(memory_usage_bytes)[10m:1m], 0.5, -0.0000005)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void evaluationErrorsAreThoseOfPrometheus(String query) {
    Params params = Params.of("query", query, "time", T);
    Answer expected = PromApi.get(prometheus.global().baseUri(), "/api/v1/query", params);
    Answer actual = PromApi.get(router.baseUri(), "/api/v1/query", params);

    assertThat(expected.status()).as(expected.summary()).isEqualTo(422);
    assertThat(actual.status()).as(actual.summary()).isEqualTo(422);
    assertThat(actual.errorType()).isEqualTo(expected.errorType());
    assertThat(actual.error()).isEqualTo(expected.error());
  }

  /**
   * A range query with two errors at different steps answers the one Prometheus meets first: it
   * evaluates a node over every step before the node above it, so an error deep in the query at a
   * late step comes before its parent's error at the first step.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        // Before the data (the first half of the range) the inner match is empty and topk's NaN
        // parameter fails; Prometheus fails first on the duplicates the match meets later.
        "topk(scalar(count(nonexistent_metric)) - 10, up * on (job) memory_usage_bytes)",
        "sum(up * on (job) memory_usage_bytes) + on () group_left topk(scalar(count(nonexistent_metric)), up)"
      })
  void rangeEvaluationErrorsAreThoseOfPrometheus(String query) {
    long start = FixtureData.START.getEpochSecond();
    Params params =
        Params.of(
            "query",
            query,
            "start",
            Long.toString(start - 1800),
            "end",
            Long.toString(start + 1800),
            "step",
            "60");
    Answer expected = PromApi.get(prometheus.global().baseUri(), "/api/v1/query_range", params);
    Answer actual = PromApi.get(router.baseUri(), "/api/v1/query_range", params);

    assertThat(expected.status()).as(expected.summary()).isEqualTo(422);
    assertThat(actual.status()).as(actual.summary()).isEqualTo(422);
    assertThat(actual.errorType()).isEqualTo(expected.errorType());
    assertThat(actual.error()).isEqualTo(expected.error());
  }

  /**
   * The first difference, or null: same series (by labels), same timestamps, values equal or close.
   */
  private static String difference(JsonNode expected, JsonNode actual, Case c) {
    if (expected.isArray() && expected.size() > 0 && !expected.get(0).isObject()) {
      return values("scalar", expected, actual, c.approximate());
    }
    if (expected.size() != actual.size()) {
      return "expected " + expected.size() + " series, got " + actual.size() + ": " + actual;
    }
    if (c.ordered()) {
      for (int i = 0; i < expected.size(); i++) {
        String d = series(expected.get(i), actual.get(i), c);
        if (d != null) {
          return "at " + i + ": " + d;
        }
      }
      return null;
    }
    Map<String, JsonNode> byLabels = new TreeMap<>();
    for (JsonNode series : actual) {
      byLabels.put(series.path("metric").toString(), series);
    }
    for (JsonNode series : expected) {
      JsonNode other = byLabels.get(series.path("metric").toString());
      if (other == null) {
        return "missing series " + series.path("metric") + "; router has " + byLabels.keySet();
      }
      String d = series(series, other, c);
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  private static String series(JsonNode expected, JsonNode actual, Case c) {
    if (!expected.path("metric").equals(actual.path("metric"))) {
      return "labels " + expected.path("metric") + " vs " + actual.path("metric");
    }
    if (expected.has("value")) {
      return values(
          expected.path("metric").toString(),
          expected.path("value"),
          actual.path("value"),
          c.approximate());
    }
    JsonNode want = expected.path("values");
    JsonNode got = actual.path("values");
    if (want.size() != got.size()) {
      return expected.path("metric") + ": " + want.size() + " points vs " + got.size();
    }
    for (int i = 0; i < want.size(); i++) {
      String d =
          values(expected.path("metric").toString(), want.get(i), got.get(i), c.approximate());
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  private static String values(
      String where, JsonNode expected, JsonNode actual, boolean approximate) {
    if (expected.get(0).asDouble() != actual.get(0).asDouble()) {
      return where + ": timestamp " + expected.get(0) + " vs " + actual.get(0);
    }
    String want = expected.get(1).asText();
    String got = actual.get(1).asText();
    if (want.equals(got)) {
      return null;
    }
    if (approximate) {
      double w = Double.parseDouble(want.replace("Inf", "Infinity"));
      double g = Double.parseDouble(got.replace("Inf", "Infinity"));
      if (Math.abs(w - g) <= TOLERANCE * Math.max(Math.abs(w), Math.abs(g))) {
        return null;
      }
    }
    return where + " at " + expected.get(0) + ": " + want + " vs " + got;
  }
}
