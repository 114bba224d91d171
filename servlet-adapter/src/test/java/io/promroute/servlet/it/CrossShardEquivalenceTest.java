package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * In the style of Mimir's query-sharding equivalence test: generated queries over the fixture's
 * deterministic data (aggregations of every operator and grouping, wrapped in operators, functions
 * and joins) get the same answer from the router over three shards as from the one global
 * Prometheus, instant and range; errors included. Values may differ in the last bits (1e-9
 * relative), as sums of non-integer rates are added in another order.
 */
@ExtendWith(PrometheusExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossShardEquivalenceTest {

  private static final int QUERIES = 160;
  private static final double TOLERANCE = 1e-9;

  private static final String[] VECTORS = {
    "rate(http_requests_total[5m])",
    "memory_usage_bytes",
    "up",
    "queue_depth",
    "increase(http_requests_total{code=\"500\"}[10m])",
    "rate(http_requests_total{cluster=~\"a|b\"}[5m])",
    "memory_usage_bytes{cluster!=\"c\"}",
    "rate(http_request_duration_seconds_bucket[5m])",
  };
  private static final String[] AGGREGATIONS = {
    "sum",
    "avg",
    "count",
    "min",
    "max",
    "group",
    "stddev",
    "stdvar",
    "topk(2, ",
    "bottomk(2, ",
    "quantile(0.3, ",
    "count_values(\"value\", ",
  };
  private static final String[] GROUPINGS = {
    "",
    " by (job)",
    " by (instance)",
    " without (instance)",
    " by (cluster)",
    " without (cluster, instance)",
    " by (le)",
    " by (job, cluster)",
  };
  private static final String[] WRAPPERS = {
    "%s",
    "2 * %s",
    "%s > 1",
    "%s - scalar(sum(up))",
    "sort_desc(%s)",
    "abs(%s)",
    "%s or vector(0)",
    "-%s",
    "%s + %s",
    "max_over_time(%s[10m:1m])",
    "%s / on () group_left () sum(up)",
    "histogram_quantile(0.9, %s)",
    "count(%s)",
    "sum by (job) (%s) / ignoring (x) sum by (job) (up)",
  };

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

  static List<String> queries() {
    Random random = new Random(20261125L);
    Set<String> queries = new LinkedHashSet<>();
    while (queries.size() < QUERIES) {
      String vector = VECTORS[random.nextInt(VECTORS.length)];
      String aggregation = AGGREGATIONS[random.nextInt(AGGREGATIONS.length)];
      String grouping = GROUPINGS[random.nextInt(GROUPINGS.length)];
      String aggregated =
          aggregation.endsWith(" ")
              ? aggregation.substring(0, aggregation.indexOf('('))
                  + grouping
                  + " ("
                  + aggregation.substring(aggregation.indexOf('(') + 1)
                  + vector
                  + ")"
              : aggregation + grouping + " (" + vector + ")";
      String wrapper = WRAPPERS[random.nextInt(WRAPPERS.length)];
      // Every selector names the same shards, as a dashboard's cluster=~"$cluster" does (a
      // selector without one would read only the chosen shards: the inherit policy).
      java.util.regex.Matcher shardMatcher =
          java.util.regex.Pattern.compile("cluster[!=~]+\"[^\"]*\"").matcher(vector);
      if (shardMatcher.find()) {
        wrapper = wrapper.replace("(up)", "(up{" + shardMatcher.group() + "})");
      }
      queries.add(wrapper.replace("%s", "(" + aggregated + ")"));
    }
    return List.copyOf(queries);
  }

  @Test
  void generatedQueriesGetTheGlobalAnswerOverThreeShards() {
    List<String> failures = new ArrayList<>();
    int compared = 0;
    int nonEmpty = 0;
    int errors = 0;
    int refused = 0;
    List<String> queries = queries();
    for (int i = 0; i < queries.size(); i++) {
      String query = queries.get(i);
      boolean range = i % 3 == 0;
      Params params =
          range
              ? RouterVsGlobalTest.range(query, "120")
              : Params.of("query", query, "time", RouterVsGlobalTest.T);
      String path = range ? "/api/v1/query_range" : "/api/v1/query";
      Answer expected = PromApi.get(prometheus.global().baseUri(), path, params);
      Answer actual = PromApi.get(router.baseUri(), path, params);
      String label = (range ? "range " : "instant ") + query;
      if (actual.status() == 400
          && actual.error().contains("cannot be answered across shards yet")) {
        refused++;
        failures.add(label + ": refused: " + actual.error());
        continue;
      }
      compared++;
      if (expected.status() != 200 || actual.status() != 200) {
        if (expected.status() != actual.status() || !expected.error().equals(actual.error())) {
          failures.add(label + ": global " + expected.summary() + " vs router " + actual.summary());
        }
        errors++;
        continue;
      }
      JsonNode want = expected.data().path("result");
      if (!want.isEmpty()) {
        nonEmpty++;
      }
      String difference = difference(want, actual.data().path("result"));
      if (difference != null) {
        failures.add(label + ": " + difference);
      }
    }
    System.err.printf(
        "CrossShardEquivalenceTest: %d queries, %d compared (%d non-empty, %d errors on both), %d refused%n",
        queries.size(), compared, nonEmpty, errors, refused);
    assertThat(failures).isEmpty();
    assertThat(nonEmpty).as("answers that prove something").isGreaterThan(QUERIES / 2);
  }

  private static String difference(JsonNode expected, JsonNode actual) {
    if (expected.size() > 0 && !expected.get(0).isObject()) {
      return values("scalar", expected, actual);
    }
    if (expected.size() != actual.size()) {
      return expected.size() + " series vs " + actual.size();
    }
    Map<String, JsonNode> byLabels = new TreeMap<>();
    actual.forEach(series -> byLabels.put(series.path("metric").toString(), series));
    for (JsonNode series : expected) {
      JsonNode other = byLabels.get(series.path("metric").toString());
      if (other == null) {
        return "missing " + series.path("metric");
      }
      if (series.has("value")) {
        String d =
            values(series.path("metric").toString(), series.path("value"), other.path("value"));
        if (d != null) {
          return d;
        }
        continue;
      }
      JsonNode points = series.path("values");
      JsonNode otherPoints = other.path("values");
      if (points.size() != otherPoints.size()) {
        return series.path("metric") + ": " + points.size() + " points vs " + otherPoints.size();
      }
      for (int i = 0; i < points.size(); i++) {
        String d = values(series.path("metric").toString(), points.get(i), otherPoints.get(i));
        if (d != null) {
          return d;
        }
      }
    }
    return null;
  }

  private static String values(String where, JsonNode expected, JsonNode actual) {
    if (expected.get(0).asDouble() != actual.get(0).asDouble()) {
      return where + ": timestamp " + expected.get(0) + " vs " + actual.get(0);
    }
    String want = expected.get(1).asText();
    String got = actual.get(1).asText();
    if (want.equals(got)) {
      return null;
    }
    double w = Double.parseDouble(want.replace("Inf", "Infinity"));
    double g = Double.parseDouble(got.replace("Inf", "Infinity"));
    if (Math.abs(w - g) <= TOLERANCE * Math.max(Math.abs(w), Math.abs(g))) {
      return null;
    }
    return where + " at " + expected.get(0) + ": " + want + " vs " + got;
  }
}
