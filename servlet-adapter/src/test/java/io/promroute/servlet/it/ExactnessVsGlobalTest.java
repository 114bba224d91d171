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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Answers equal the global Prometheus's text for text where the details are easy to lose: the
 * values the router computes itself from merged values (Prometheus spells a value with the shortest
 * digits that give back its exact bits, so one bit of difference fails), and the labels of {@code
 * absent()}, which depend on the order matchers are written in. {@code sum(up) * 0 + x} makes a
 * value the router computes (the sum merges three shards) that is exactly {@code x}, so a range
 * query feeds thousands of different arguments to each function.
 */
@ExtendWith(PrometheusExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExactnessVsGlobalTest {

  private static final String T = RouterVsGlobalTest.T;

  /** Zero, computed by the router from the three shards' {@code up}. */
  private static final String MERGED_ZERO = "sum(up) * 0";

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

  private static final List<String> FUNCTIONS =
      List.of(
          "exp", "ln", "log2", "log10", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
          "cosh", "tanh", "asinh", "acosh", "atanh", "deg", "rad", "sgn");

  /**
   * Each scale spreads the arguments {@code (time() - T) * scale} over a range where the algorithms
   * differ: near zero (series expansions), the domain of asin and atanh, arguments of exp that
   * overflow or give subnormals, and trigonometric arguments past Go's Payne-Hanek threshold
   * (2^29).
   */
  static Stream<Arguments> functionsAndScales() {
    return FUNCTIONS.stream()
        .flatMap(
            function ->
                Stream.of("1e-4", "0.0137", "0.2", "1e9")
                    .map(scale -> Arguments.of(function, scale)));
  }

  @ParameterizedTest(name = "{0} at scale {1}")
  @MethodSource("functionsAndScales")
  void functionsOfMergedValuesAreBitExact(String function, String scale) {
    assertSameAnswer(
        "/api/v1/query_range",
        RouterVsGlobalTest.range(
            function + "(" + MERGED_ZERO + " + (time() - " + T + ") * " + scale + ")", "3.7"));
  }

  /** Arguments at the edges of Go's algorithms: subnormals, overflow, reduction thresholds. */
  static Stream<Arguments> edges() {
    return Stream.of(
        Arguments.of(
            "exp",
            List.of("709.7", "709.78", "-708.39", "-708.4", "-709", "-740", "-745", "-745.2")),
        Arguments.of(
            "ln",
            List.of(
                "1e-310",
                "5e-324",
                "0.7071067811865476",
                "1.4142135623730951",
                "2.2250738585072014e-308")),
        Arguments.of("log2", List.of("1e-310", "0.75", "1024", "3")),
        Arguments.of("log10", List.of("1e-310", "1000", "3", "1e300")),
        Arguments.of("sin", List.of("1e300", "1e22", "536870912", "536870911.9", "-0")),
        Arguments.of("cos", List.of("1e300", "1e22", "536870912", "536870911.9")),
        Arguments.of("tan", List.of("1e300", "1e22", "536870912", "1.5707963267948966")),
        Arguments.of("atanh", List.of("0.9999999999999999", "-0.5", "0.5", "-0", "1")),
        Arguments.of("acosh", List.of("1.0000000000000002", "2", "268435456", "1e300")),
        Arguments.of("asinh", List.of("-0", "3e-9", "2", "268435457", "1e300")),
        Arguments.of("sinh", List.of("-0", "0.5", "21", "21.5", "-700")),
        Arguments.of("cosh", List.of("1e-8", "21", "21.5", "710")),
        Arguments.of("tanh", List.of("0.625", "0.624", "44.1", "-20")));
  }

  @ParameterizedTest(name = "{0} of {1}")
  @MethodSource("edges")
  void functionsAtTheEdgesOfGosAlgorithmsAreBitExact(String function, List<String> arguments) {
    for (String argument : arguments) {
      assertSameAnswer(
          "/api/v1/query",
          Params.of("query", function + "(" + MERGED_ZERO + " + " + argument + ")", "time", T));
    }
  }

  /** Operators whose Go implementation is not IEEE arithmetic: {@code ^} (math.Pow), atan2. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "("
            + MERGED_ZERO
            + " + (time() - 1772326800) * 0.37) atan2 ("
            + MERGED_ZERO
            + " + (time() - 1772325000) * 0.011)",
        "(" + MERGED_ZERO + " + (time() - 1772320000) * 0.0137) ^ 2.37",
        "(" + MERGED_ZERO + " + (time() - 1772320000) * 0.0137) ^ (" + MERGED_ZERO + " - 1.7)",
        "(" + MERGED_ZERO + " + 1.0001) ^ (" + MERGED_ZERO + " + (time() - 1772326800) * 3.3)",
      })
  void operatorsOfMergedValuesAreBitExact(String query) {
    assertSameAnswer("/api/v1/query_range", RouterVsGlobalTest.range(query, "7.1"));
  }

  /**
   * Range functions over subqueries of merged values: Prometheus 2.42 adds with Kahan compensation
   * in the {@code *_over_time} functions and in deriv/predict_linear's regression. {@code max}
   * merges exactly, so only the range function's arithmetic is under test, and {@code count_values}
   * spells every bit of the result in a label.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "sum_over_time(max(rate(http_requests_total[5m]))[30m:1m])",
        "sum_over_time((max by (job) (rate(http_requests_total[5m])) / 3)[1h:15s])",
        "avg_over_time(max by (job) (rate(http_requests_total[5m]))[30m:1m])",
        "avg_over_time((max(memory_usage_bytes) * 1.1)[1h:30s])",
        "stddev_over_time(max(rate(http_requests_total[5m]))[1h:1m])",
        "stdvar_over_time((max by (job) (rate(http_requests_total[5m])) * 7.3)[1h:1m])",
        "deriv((max(rate(http_requests_total[5m])) / 3)[30m:1m])",
        "deriv(max(memory_usage_bytes)[1h:30s])",
        "predict_linear(max by (job) (rate(http_requests_total[5m]))[30m:1m], 600)",
        "holt_winters(max by (job) (rate(http_requests_total[5m]))[30m:1m], 0.5, 0.5)",
        "count_values(\"v\", holt_winters((max(memory_usage_bytes) * 1.1)[1h:30s], 0.3, 0.7))",
        "count_values(\"v\", quantile_over_time(0.3, (max by (job) (rate(http_requests_total[5m])) / 3)[30m:1m]))",
        "count_values(\"v\", stddev_over_time(max by (job) (rate(http_requests_total[5m]))[1h:1m]))",
        "count_values(\"v\", ln(max by (job, instance) (rate(http_requests_total[5m]))))",
        "count_values(\"v\", tan(max by (job, instance) (memory_usage_bytes)))",
      })
  void rangeFunctionsOfMergedValuesAreBitExact(String query) {
    assertSameInstantAndRangeAnswers(query, "60");
  }

  /**
   * count_values spells every bit of what it counts in a label: sums, averages and variances under
   * it are aggregated in Prometheus's order (found by random queries: per-shard partials differed
   * in the last bit). Not over another aggregation's output: Prometheus 2.42 assembles that output
   * from a Go map, so the order it adds it in, and so the last bit, changes from run to run.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "count_values(\"v\", sum by (job) (rate(http_requests_total[5m])))",
        "count_values(\"v\", avg by (job) (memory_usage_bytes) / 3)",
        "count_values(\"job\", vector(scalar(stdvar(http_request_duration_seconds_bucket{cluster=~\"a|b\"}))))",
      })
  void whatCountValuesCountsIsBitExact(String query) {
    assertSameInstantAndRangeAnswers(query, "60");
  }

  /**
   * Prometheus 2.42 derives absent()'s labels from the matchers in written order (the first {@code
   * =} of a label sets it, any later matcher of it deletes it); the router prints shard queries
   * with sorted matchers and must still give the written order's labels.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "absent(up{job=~\"nod.*\", job=\"missing\"})",
        "absent(up{job=\"missing\", job=~\"nod.*\"})",
        "absent(nonexistent{job=~\"a.*\", job=\"api\", instance=\"x\"})",
        "absent(nonexistent{job=\"api\", job!=\"web\"})",
        "absent(nonexistent{job!=\"web\", job=\"api\"})",
        "absent(nonexistent{job=\"api\", job!=\"api\", mode=\"m\"})",
        "absent(nonexistent{job=\"api\", job=\"api\", mode=\"m\"})",
        "absent((nonexistent{job=~\"x\", job=\"y\"}))",
        "absent_over_time(nonexistent{job=~\"x\", job=\"y\"}[5m])",
        "absent(up{cluster=\"b\", job=~\"nod.*\", job=\"missing\"})",
        "absent(nonexistent{cluster=~\"a|b\", job=~\"nod.*\", job=\"missing\"})",
        "absent(nonexistent{cluster=~\"a|b\", cluster=\"b\"})",
      })
  void absentLabelsFollowTheWrittenMatcherOrder(String query) {
    assertSameInstantAndRangeAnswers(query, "600");
  }

  /**
   * Go keeps the bytes of {@code "\\xff"} as they are (not UTF-8, not U+FFFD): a label set to it
   * differs from one set to {@code "\\ufffd"}, on one shard and across shards.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "label_replace(up{cluster=\"b\"}, \"a\", \"\\xff\", \"\", \"\") unless label_replace(up{cluster=\"b\"}, \"a\", \"\\ufffd\", \"\", \"\")",
        "count(label_replace(up, \"a\", \"x\\xe2\\x82\", \"\", \"\") unless label_replace(up, \"a\", \"x\\ufffd\\ufffd\", \"\", \"\"))",
        "absent(nonexistent{job=\"\\377\"})",
      })
  void escapedBytesThatAreNotUtf8AreKeptAsGoKeepsThem(String query) {
    assertSameAnswer("/api/v1/query", Params.of("query", query, "time", T));
  }

  /**
   * With default settings the router accepts what its shards accept: they run Prometheus 2.42,
   * which knows holt_winters (the PromQL dialect follows the versions the shards report).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "holt_winters(memory_usage_bytes{cluster=\"b\"}[10m], 0.5, 0.5)",
        "holt_winters(memory_usage_bytes[15m], 0.3, 0.7)",
        "holt_winters(max by (job) (memory_usage_bytes)[30m:1m], 0.5, 0.5)",
      })
  void holtWintersIsAnsweredOverPrometheus2Shards(String query) {
    assertSameAnswer("/api/v1/query", Params.of("query", query, "time", T));
  }

  private void assertSameInstantAndRangeAnswers(String query, String step) {
    assertSameAnswer("/api/v1/query", Params.of("query", query, "time", T));
    assertSameAnswer("/api/v1/query_range", RouterVsGlobalTest.range(query, step));
  }

  /** The router's answer has the global answer's text: same series, same order, same bits. */
  private void assertSameAnswer(String path, Params params) {
    Answer expected = PromApi.get(prometheus.global().baseUri(), path, params);
    assertThat(expected.status())
        .as("the global Prometheus: %s", expected.summary())
        .isEqualTo(200);
    assertThat(expected.data().path("result").isEmpty())
        .as("the global answer is empty, the case proves nothing")
        .isFalse();
    Answer actual = PromApi.get(router.baseUri(), path, params);
    assertThat(actual.status()).as("router: %s", actual.summary()).isEqualTo(200);
    String difference =
        PromApi.firstDifference(
            PromApi.comparable(expected.json(), false), PromApi.comparable(actual.json(), false));
    assertThat(difference).as("router vs global for %s", params).isNull();
  }
}
