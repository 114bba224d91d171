package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promroute.examples.DemoData;
import io.promroute.router.UpstreamClient;
import io.promroute.servlet.RouterConfig;
import io.promroute.servlet.it.Eventually;
import io.promroute.servlet.it.PrometheusFixture;
import io.promroute.servlet.it.PrometheusServer;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code bin/promroute-demo} does, without the shell: the demo's data in three real Prometheus
 * servers, the standalone router in front, and the queries the demo prints.
 */
class DemoEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<PrometheusServer> SHARDS = new ArrayList<>();
  private static final List<String> ACCESS_LOG = new CopyOnWriteArrayList<>();
  private static RouterServer router;

  @TempDir static Path directory;

  @BeforeAll
  static void startDemo() throws Exception {
    Path[] binaries = PrometheusFixture.requireBinaries();
    Instant now = Instant.now();
    StringBuilder config = new StringBuilder("replace_label_name: cluster\nprome_servers:\n");
    List<Process> promtools = new ArrayList<>();
    for (String shard : List.of("a", "b", "c")) {
      DemoData.writeOpenMetrics(directory.resolve(shard + ".om"), shard, now);
      promtools.add(
          new ProcessBuilder(
                  binaries[1].toString(),
                  "tsdb",
                  "create-blocks-from",
                  "openmetrics",
                  directory.resolve(shard + ".om").toString(),
                  directory.resolve("data-" + shard).toString())
              .redirectErrorStream(true)
              .redirectOutput(directory.resolve("promtool-" + shard + ".log").toFile())
              .start());
    }
    for (Process promtool : promtools) {
      assertThat(promtool.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(promtool.exitValue()).isZero();
    }
    for (String shard : List.of("a", "b", "c")) {
      PrometheusServer server =
          PrometheusServer.start(
              "shard-" + shard, binaries[0], directory.resolve("data-" + shard), directory);
      SHARDS.add(server);
      config.append("  ").append(shard).append(": ").append(server.hostPort()).append('\n');
    }
    for (PrometheusServer server : SHARDS) {
      server.awaitReady(HTTP, Duration.ofSeconds(90), "up", now.getEpochSecond());
    }
    config.append("http:\n  listen_addr: 127.0.0.1:0\n");
    Path file = directory.resolve("promroute.yml");
    Files.writeString(file, config);
    router =
        new RouterServer(
            file,
            RouterConfig.load(file),
            RouterEngines::create,
            UpstreamClient.jdk(),
            new RouterMetrics(false),
            ACCESS_LOG::add,
            RouterOptions.forTests());
    router.start();
  }

  @AfterAll
  static void stopDemo() throws Exception {
    if (router != null) {
      router.close();
    }
    SHARDS.forEach(PrometheusServer::close);
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(router.baseUri().resolve(pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode query(String promql) throws Exception {
    HttpResponse<String> response =
        get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("data").path("result");
  }

  @Test
  void aQueryForOneShardAnswersItsSeriesWithTheShardLabel() throws Exception {
    JsonNode result = query("up{cluster=\"b\"}");

    assertThat(result).hasSize(3);
    result.forEach(
        series -> assertThat(series.path("metric").path("cluster").asText()).isEqualTo("b"));
    Eventually.eventually(
        () ->
            assertThat(ACCESS_LOG)
                .anyMatch(
                    line -> line.contains("query=\"up{cluster=\\\"b\\\"}\" shards=b status=200 ")));
  }

  @Test
  void aRegexOverTwoShardsKeepsEachShardsSeries() throws Exception {
    JsonNode result =
        query("sum by (cluster, mode) (rate(node_cpu_seconds_total{cluster=~\"a|c\"}[5m]))");

    List<String> keys = new ArrayList<>();
    result.forEach(
        series ->
            keys.add(
                series.path("metric").path("cluster").asText()
                    + "/"
                    + series.path("metric").path("mode").asText()));
    assertThat(keys)
        .containsExactlyInAnyOrder("a/idle", "a/system", "a/user", "c/idle", "c/system", "c/user");
    // 2 CPUs × 3 instances, idle 0.725 to 0.875 s/s by shard; the wave moves each rate by at most a
    // third.
    result.forEach(
        series -> {
          if (series.path("metric").path("mode").asText().equals("idle")) {
            assertThat(series.path("value").get(1).asDouble()).isBetween(2.8, 7.1);
          }
        });
  }

  /** The version a shard's Prometheus reports about itself, asked directly. */
  private static String ownVersion(PrometheusServer shard) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(shard.baseUri().resolve("/api/v1/status/buildinfo")).build(),
            HttpResponse.BodyHandlers.ofString());
    String version = JSON.readTree(response.body()).path("data").path("version").asText();
    assertThat(version).isNotEmpty();
    return version;
  }

  @Test
  void theRouterIsReadyWithEveryShardAndNamesEachShardsPrometheusVersion() throws Exception {
    StringBuilder expected = new StringBuilder("PromRoute is Ready.\n");
    List<String> keys = List.of("a", "b", "c");
    for (int i = 0; i < keys.size(); i++) {
      expected
          .append("shard ")
          .append(keys.get(i))
          .append(": Prometheus ")
          .append(ownVersion(SHARDS.get(i)))
          .append('\n');
    }

    // The versions are read in the background from start-up on.
    Eventually.eventually(
        () -> {
          HttpResponse<String> response = get("/-/ready?shards=all");
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.body()).isEqualTo(expected.toString());
        });
  }

  @Test
  void theMetricsNameEachShardsPrometheusVersionButNotItsAddress() throws Exception {
    List<String> keys = List.of("a", "b", "c");
    for (int i = 0; i < keys.size(); i++) {
      String series =
          "promroute_shard_prometheus_info{shard=\""
              + keys.get(i)
              + "\",version=\""
              + ownVersion(SHARDS.get(i))
              + "\"} 1.0";
      Eventually.eventually(() -> assertThat(get("/metrics").body()).contains(series));
    }
    String metrics = get("/metrics").body();
    for (PrometheusServer shard : SHARDS) {
      assertThat(metrics).doesNotContain(shard.hostPort());
    }
  }

  @Test
  void grafanasShardVariableListsTheShards() throws Exception {
    HttpResponse<String> response = get("/api/v1/label/cluster/values");

    assertThat(JSON.readTree(response.body()).path("data").toString())
        .isEqualTo("[\"a\",\"b\",\"c\"]");
  }

  @Test
  void aSumOverAllShardsIsMergedByTheRouterIntoOneSeries() throws Exception {
    HttpResponse<String> response = get("/api/v1/query?query=sum%28up%29");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode result = JSON.readTree(response.body()).path("data").path("result");
    assertThat(result).hasSize(1);
    assertThat(result.get(0).path("metric").size()).isZero();
  }

  @Test
  void aRangeQueryCoversTheLastHour() throws Exception {
    long end = Instant.now().getEpochSecond();
    HttpResponse<String> response =
        get(
            "/api/v1/query_range?query="
                + URLEncoder.encode(
                    "rate(http_requests_total{cluster=\"a\",code=\"500\"}[5m])",
                    StandardCharsets.UTF_8)
                + "&start="
                + (end - 3600)
                + "&end="
                + end
                + "&step=60");

    JsonNode result = JSON.readTree(response.body()).path("data").path("result");
    assertThat(result).hasSize(6); // 3 instances × GET, POST
    result.forEach(
        series -> {
          assertThat(series.path("metric").path("cluster").asText()).isEqualTo("a");
          assertThat(series.path("values")).hasSize(61);
        });
  }
}
