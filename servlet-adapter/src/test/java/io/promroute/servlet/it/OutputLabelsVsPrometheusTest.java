package io.promroute.servlet.it;

import static io.promroute.servlet.it.PrometheusFixture.SHARDS;
import static io.promroute.servlet.it.PrometheusFixture.SHARD_LABEL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import io.promroute.shard.ShardRewriter;
import io.promroute.shard.ShardRoutingException;
import io.promroute.shard.ShardedQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 3's output-label analysis checked against real Prometheus: for each query, the series of
 * the global Prometheus's answer carry the shard label exactly when {@link
 * ShardedQuery#addShardLabel()} says so. And, for queries the shards can answer alone (one shard or
 * concatenation), what the rewrite prescribes (run {@link ShardedQuery#query()} on each selected
 * shard, add the label if told, concatenate) gives exactly the global answer.
 */
@ExtendWith(PrometheusExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OutputLabelsVsPrometheusTest {

  private static final String T = Long.toString(FixtureData.MID.getEpochSecond());

  /**
   * Queries over the fixture's data that return series at {@link FixtureData#MID}. Those marked
   * {@code writes} set the shard label themselves (label_replace, count_values into it): the label
   * on their answers does not come from the add-back, so only the second check applies.
   */
  static List<String> queries() {
    return List.of(
        "http_requests_total{cluster=\"b\"}",
        "memory_usage_bytes{cluster=\"a\"}[1m]",
        "rate(http_requests_total{cluster=\"b\"}[5m])",
        "sum by (cluster) (rate(http_requests_total{cluster=\"b\"}[5m]))",
        "sum by (cluster, job) (rate(http_requests_total{cluster=~\"a|b\"}[5m]))",
        "sum by (job) (rate(http_requests_total{cluster=\"b\"}[5m]))",
        "sum without (instance) (rate(http_requests_total{cluster=\"b\"}[5m]))",
        "sum without (cluster) (rate(http_requests_total{cluster=\"b\"}[5m]))",
        "sum(http_requests_total{cluster=\"a\"})",
        "topk(3, http_requests_total{cluster=\"c\"})",
        "bottomk(2, memory_usage_bytes{cluster=\"a\"})",
        "quantile by (cluster) (0.5, memory_usage_bytes{cluster=\"b\"})",
        "count_values(\"value\", memory_usage_bytes{cluster=\"a\"})",
        "count_values by (cluster) (\"value\", up{cluster=\"b\"})",
        "writes: count_values(\"cluster\", up{cluster=\"b\"})",
        "vector(1)",
        "vector(scalar(sum(up{cluster=\"a\"})))",
        "up{cluster=\"a\"} * scalar(sum(up{cluster=\"a\"}))",
        "sum by (job) (http_requests_total{cluster=\"b\"}) / on (job) sum by (job) (memory_usage_bytes{cluster=\"b\"})",
        "memory_usage_bytes{cluster=\"b\"} / on (job, instance) up{cluster=\"b\"}",
        "memory_usage_bytes{cluster=\"b\"} / ignoring (cluster) up{cluster=\"b\"}",
        "memory_usage_bytes{cluster=\"b\"} / up{cluster=\"b\"}",
        "memory_usage_bytes{cluster=\"b\"} * on (job, instance) group_left up{cluster=\"b\"}",
        "sum by (job, instance) (rate(http_requests_total{cluster=\"b\"}[5m])) * on (job, instance) group_left (cluster) up{cluster=\"b\"}",
        "up{cluster=\"b\"} * on (job, instance) group_right sum by (job, instance) (memory_usage_bytes{cluster=\"b\"})",
        "sum by (cluster) (rate(http_requests_total{cluster=\"b\"}[5m])) / ignoring (cluster) group_left sum(rate(http_requests_total{cluster=\"b\"}[5m]))",
        "label_replace(up{cluster=\"a\"}, \"host\", \"$1\", \"instance\", \"(.*):.*\")",
        "writes: label_replace(up{cluster=\"a\"}, \"cluster\", \"x\", \"job\", \".*\")",
        "label_replace(up{cluster=\"a\"}, \"origin\", \"$1\", \"cluster\", \"(.*)\")",
        "label_join(up{cluster=\"c\"}, \"where\", \"/\", \"job\", \"instance\")",
        "label_join(up{cluster=\"c\"}, \"where\", \"/\", \"cluster\", \"instance\")",
        "absent(batch_last_success_timestamp_seconds{cluster=\"a\"})",
        "absent(nonexistent_metric{cluster=\"b\", job=\"x\"})",
        "absent_over_time(batch_last_success_timestamp_seconds{cluster=\"b\"}[5m])",
        "histogram_quantile(0.9, rate(http_request_duration_seconds_bucket{cluster=\"c\"}[5m]))",
        "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{cluster=\"c\"}[5m])))",
        "histogram_quantile(0.9, sum by (le, cluster) (rate(http_request_duration_seconds_bucket{cluster=\"c\"}[5m])))",
        "sort(memory_usage_bytes{cluster=\"a\"})",
        "sort_desc(sum by (job) (memory_usage_bytes{cluster=\"a\"}))",
        "up{cluster=\"a\"} and memory_usage_bytes{cluster=\"a\"}",
        "up{cluster=\"a\"} or queue_depth{cluster=\"a\"}",
        "up{cluster=\"a\"} unless on (job) queue_depth{cluster=\"a\"}",
        "sum by (job) (up{cluster=\"a\"}) or vector(0)",
        "max_over_time(memory_usage_bytes{cluster=\"b\"}[10m])",
        "avg_over_time(rate(http_requests_total{cluster=\"b\"}[5m])[30m:5m])",
        "memory_usage_bytes{cluster=\"b\"} offset 5m",
        "memory_usage_bytes{cluster=\"b\"} @ "
            + FixtureData.START.plusSeconds(600).getEpochSecond(),
        "-memory_usage_bytes{cluster=\"b\"}",
        "memory_usage_bytes{cluster=\"b\"} > bool 1500000",
        "rate(http_requests_total{cluster=\"b\"}[5m]) > 1",
        "timestamp(up{cluster=\"a\"})",
        "changes(memory_usage_bytes{cluster=\"c\"}[10m])",
        "count by (cluster) (up{cluster=~\"a|b|c\"})",
        "absent(nonexistent_metric{cluster=~\"b\"})",
        "group by (cluster) (up{cluster=\"a\"})",
        "group(up{cluster=\"a\"})",
        "stddev by (cluster, job) (memory_usage_bytes{cluster=\"c\"})",
        "count without (cluster, instance) (up{cluster=\"c\"})",
        "clamp_max(memory_usage_bytes{cluster=\"a\"}, 1000000)",
        "round(rate(http_requests_total{cluster=\"a\"}[5m]), 0.1)",
        "deriv(memory_usage_bytes{cluster=\"b\"}[10m])",
        "last_over_time(queue_depth{cluster=\"b\"}[5m])",
        "present_over_time(queue_depth{cluster=\"b\"}[5m])",
        "quantile_over_time(0.5, memory_usage_bytes{cluster=\"c\"}[10m])",
        "writes: label_join(up{cluster=\"c\"}, \"cluster\", \"-\", \"job\")",
        "sum by (cluster) (up{cluster=\"a\"}) + on (cluster) group_left count by (cluster) (queue_depth{cluster=\"a\"})",
        "max by (job) (up{cluster=\"b\"}) == bool on (job) max by (job) (up{cluster=\"b\"})",
        "http_requests_total{cluster=\"b\"} unless http_requests_total{cluster=\"b\", code=\"500\"}",
        "topk by (job) (1, memory_usage_bytes{cluster=\"a\"})",
        "sort_desc(count_values by (cluster) (\"v\", up{cluster=\"c\"}))",
        "vector(time()) - on () group_right memory_usage_bytes{cluster=\"b\"}",
        "queue_depth{cluster=~\".*\"}",
        "up",
        "sum(up)",
        "topk(1, memory_usage_bytes)");
  }

  @Test
  void shardLabelIsOnTheGlobalAnswerExactlyWhereTheRewriteSaysSo(PrometheusFixture prometheus) {
    ShardRewriter rewriter = TestRouters.rewriter(SHARDS);
    TestRouters.implemented(() -> rewriter.rewrite("up{cluster=\"a\"}"));

    List<String> rejected = new ArrayList<>();
    List<String> mismatches = new ArrayList<>();
    int labelChecks = 0;
    int answerChecks = 0;
    for (String entry : queries()) {
      boolean writesShardLabel = entry.startsWith("writes: ");
      String query = writesShardLabel ? entry.substring("writes: ".length()) : entry;
      ShardedQuery routed;
      try {
        routed = rewriter.rewrite(query);
      } catch (ShardRoutingException e) {
        rejected.add(query + " (" + e.reason() + ": " + e.getMessage() + ")");
        continue;
      }

      Answer global =
          PromApi.get(
              prometheus.global().baseUri(), "/api/v1/query", Params.of("query", query, "time", T));
      assertThat(global.status())
          .as("global Prometheus, %s: %s", query, global.summary())
          .isEqualTo(200);
      JsonNode series = global.data().get("result");
      assertThat(series.isArray() && !series.isEmpty() && series.get(0).has("metric"))
          .as(
              "the global answer to %s has series (an empty answer proves nothing): %s",
              query, global.summary())
          .isTrue();

      if (!writesShardLabel) {
        labelChecks++;
        for (JsonNode element : series) {
          boolean hasLabel = element.get("metric").has(SHARD_LABEL);
          if (hasLabel != routed.addShardLabel()) {
            mismatches.add(
                query
                    + ": addShardLabel="
                    + routed.addShardLabel()
                    + " but the global answer has "
                    + element.get("metric")
                    + " (execution "
                    + routed.execution()
                    + ")");
            break;
          }
        }
      }

      if (routed.execution() == ShardedQuery.Execution.SINGLE_SHARD
          || routed.execution() == ShardedQuery.Execution.CONCATENATE) {
        answerChecks++;
        List<String> expected = new ArrayList<>();
        series.forEach(element -> expected.add(describe(element)));
        List<String> actual = new ArrayList<>();
        for (String shard : routed.shards()) {
          Answer answer =
              PromApi.get(
                  prometheus.shard(shard).baseUri(),
                  "/api/v1/query",
                  Params.of("query", routed.query(), "time", T));
          if (answer.status() != 200) {
            actual.add("shard " + shard + " answered " + answer.summary());
            continue;
          }
          for (JsonNode element : answer.data().get("result")) {
            ObjectNode copy = element.deepCopy();
            if (routed.addShardLabel()) {
              ((ObjectNode) copy.get("metric")).put(SHARD_LABEL, shard);
            }
            actual.add(describe(copy));
          }
        }
        expected.sort(null);
        actual.sort(null);
        if (!expected.equals(actual)) {
          mismatches.add(
              query
                  + ": running "
                  + routed.query()
                  + " on "
                  + routed.shards()
                  + " (addShardLabel="
                  + routed.addShardLabel()
                  + ") gives "
                  + abbreviate(actual)
                  + ", the global answer is "
                  + abbreviate(expected));
        }
      }
    }
    System.err.printf(
        "OutputLabelsVsPrometheusTest: %d queries, %d label checks, %d answer checks, %d rejected by the rewriter: %s%n",
        queries().size(), labelChecks, answerChecks, rejected.size(), rejected);

    assertThat(mismatches)
        .as(
            "output label analysis vs the global Prometheus (queries the rewriter rejected: %s)",
            rejected)
        .isEmpty();
    assertThat(labelChecks)
        .as("queries checked; the rewriter rejected %s", rejected)
        .isGreaterThanOrEqualTo(40);
  }

  /** The same, over a range: run the rewrite's query on its shards as a range query. */
  @Test
  void rangeAnswersOfTheRewriteEqualTheGlobalAnswers(PrometheusFixture prometheus) {
    ShardRewriter rewriter = TestRouters.rewriter(SHARDS);
    TestRouters.implemented(() -> rewriter.rewrite("up{cluster=\"a\"}"));
    String start = Long.toString(FixtureData.MID.getEpochSecond() - 1800);
    List<String> mismatches = new ArrayList<>();
    int checked = 0;
    for (String entry : queries()) {
      String query = entry.startsWith("writes: ") ? entry.substring("writes: ".length()) : entry;
      ShardedQuery routed;
      try {
        routed = rewriter.rewrite(query);
      } catch (ShardRoutingException e) {
        continue;
      }
      if (routed.execution() != ShardedQuery.Execution.SINGLE_SHARD
          && routed.execution() != ShardedQuery.Execution.CONCATENATE) {
        continue;
      }
      Params global = Params.of("query", query, "start", start, "end", T, "step", "300");
      Answer expectedAnswer =
          PromApi.get(prometheus.global().baseUri(), "/api/v1/query_range", global);
      if (expectedAnswer.status() != 200) {
        continue; // a range vector at the top: no range query in Prometheus either
      }
      List<String> expected = new ArrayList<>();
      expectedAnswer.data().get("result").forEach(element -> expected.add(describe(element)));
      if (expected.isEmpty()) {
        continue;
      }
      checked++;
      List<String> actual = new ArrayList<>();
      for (String shard : routed.shards()) {
        Answer answer =
            PromApi.get(
                prometheus.shard(shard).baseUri(),
                "/api/v1/query_range",
                Params.of("query", routed.query(), "start", start, "end", T, "step", "300"));
        if (answer.status() != 200) {
          actual.add("shard " + shard + " answered " + answer.summary());
          continue;
        }
        for (JsonNode element : answer.data().get("result")) {
          ObjectNode copy = element.deepCopy();
          if (routed.addShardLabel()) {
            ((ObjectNode) copy.get("metric")).put(SHARD_LABEL, shard);
          }
          actual.add(describe(copy));
        }
      }
      expected.sort(null);
      actual.sort(null);
      if (!expected.equals(actual)) {
        mismatches.add(
            query
                + ": running "
                + routed.query()
                + " on "
                + routed.shards()
                + " (addShardLabel="
                + routed.addShardLabel()
                + ") gives "
                + abbreviate(actual)
                + ", the global answer is "
                + abbreviate(expected));
      }
    }
    assertThat(mismatches).as("range answers of the rewrite vs the global Prometheus").isEmpty();
    assertThat(checked).as("queries checked over a range").isGreaterThanOrEqualTo(40);
  }

  private static String describe(JsonNode element) {
    JsonNode value = element.has("value") ? element.get("value") : element.get("values");
    return PromApi.labelKey(element.get("metric")) + " " + value;
  }

  private static String abbreviate(List<String> lines) {
    String text = lines.toString();
    return text.length() > 800
        ? text.substring(0, 800) + "... (" + lines.size() + " series)"
        : text;
  }
}
