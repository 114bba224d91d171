package io.promroute.servlet.it;

import static io.promroute.servlet.it.PrometheusFixture.SHARDS;
import static io.promroute.servlet.it.PrometheusFixture.SHARD_LABEL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fixture itself: the global server holds exactly the shards' series, each with its shard
 * label.
 */
@ExtendWith(PrometheusExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PrometheusFixtureTest {

  private static final String MID = Long.toString(FixtureData.MID.getEpochSecond());

  private final PrometheusFixture prometheus;

  PrometheusFixtureTest(PrometheusFixture prometheus) {
    this.prometheus = prometheus;
  }

  @Test
  void globalHoldsEachShardsSeriesWithItsShardLabel() {
    for (String shard : SHARDS) {
      List<String> fromShard = new ArrayList<>();
      for (JsonNode series : instant(prometheus.shard(shard).baseUri(), "{__name__=~\".+\"}")) {
        assertThat(series.path("metric").has(SHARD_LABEL))
            .as("shard %s: %s", shard, series)
            .isFalse();
        ObjectNode labelled = (ObjectNode) series.deepCopy();
        ((ObjectNode) labelled.get("metric")).put(SHARD_LABEL, shard);
        fromShard.add(PromApi.labelKey(labelled.get("metric")) + labelled.get("value"));
      }
      List<String> fromGlobal = new ArrayList<>();
      for (JsonNode series :
          instant(prometheus.global().baseUri(), "{" + SHARD_LABEL + "=\"" + shard + "\"}")) {
        fromGlobal.add(PromApi.labelKey(series.get("metric")) + series.get("value"));
      }
      assertThat(fromShard).as("shard %s", shard).hasSizeGreaterThan(FixtureData.LARGE_SERIES);
      assertThat(fromGlobal)
          .as("global, %s=\"%s\"", SHARD_LABEL, shard)
          .containsExactlyInAnyOrderElementsOf(fromShard);
    }
    assertThat(
            instant(prometheus.global().baseUri(), "{__name__=~\".+\", " + SHARD_LABEL + "=\"\"}"))
        .as("global series without the shard label")
        .isEmpty();
  }

  @Test
  void valuesDifferPerShard() {
    Set<String> sums = new HashSet<>();
    for (String shard : SHARDS) {
      JsonNode result =
          instant(prometheus.shard(shard).baseUri(), "sum(rate(http_requests_total[5m]))");
      assertThat(result).as("shard %s", shard).hasSize(1);
      sums.add(result.get(0).get("value").get(1).asText());
    }
    assertThat(sums).as("sum of rates per shard").hasSize(SHARDS.size());
  }

  @Test
  void someSeriesAreOnOneShardOnly() {
    assertThat(
            instant(
                prometheus.global().baseUri(),
                "count by (cluster) (queue_depth{queue=\"priority\"})"))
        .extracting(series -> series.get("metric").get(SHARD_LABEL).asText())
        .containsExactly("b");
    assertThat(
            instant(
                prometheus.global().baseUri(),
                "count by (cluster) (batch_last_success_timestamp_seconds)"))
        .extracting(series -> series.get("metric").get(SHARD_LABEL).asText())
        .containsExactly("c");
  }

  @Test
  void dataCoversTheWholeWindow() {
    JsonNode result =
        instant(
            prometheus.global().baseUri(),
            "count_over_time(up{cluster=\"a\"}[3h] @ " + FixtureData.END.getEpochSecond() + ")");
    assertThat(result).hasSize(4);
    result.forEach(
        series ->
            assertThat(series.get("value").get(1).asText())
                .isEqualTo(Integer.toString(FixtureData.SAMPLES)));
  }

  @Test
  void startsWithinAMinute() {
    System.err.println("PrometheusFixture: " + prometheus.timings());
    assertThat(prometheus.startupTime()).isLessThan(java.time.Duration.ofMinutes(1));
  }

  private static JsonNode instant(URI server, String query) {
    Answer answer = PromApi.get(server, "/api/v1/query", Params.of("query", query, "time", MID));
    assertThat(answer.status()).as("%s: %s", query, answer.summary()).isEqualTo(200);
    return answer.data().get("result");
  }
}
