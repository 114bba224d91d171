package io.promroute.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promroute.promql.PromQL;
import io.promroute.router.UpstreamClient;
import io.promroute.servlet.RouterConfig;
import io.promroute.servlet.it.PrometheusFixture;
import io.promroute.servlet.it.PrometheusServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router's Grafana dashboard ({@code examples/grafana/promroute-router.json}) asks only what
 * the router exports: every query parses with PromRoute's own parser, and returns data from a real
 * Prometheus that scrapes a running router which has served some traffic.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DashboardTest {

  private static final Path DASHBOARD = Path.of("grafana/promroute-router.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;
  private final HttpClient http = HttpClient.newHttpClient();

  /**
   * Each query of the dashboard, panel title first, with Grafana's variables as the panel would
   * send them.
   */
  private static Map<String, String> queries() throws Exception {
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    Map<String, String> queries = new LinkedHashMap<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        queries.put(
            panel.path("title").asText() + " / " + target.path("refId").asText(),
            grafanaVariables(target.path("expr").asText()));
      }
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      String definition = variable.path("definition").asText();
      if (definition.startsWith("label_values(")) {
        // label_values(metric, label) asks for the series of the metric: the metric must exist.
        queries.put(
            "variable " + variable.path("name").asText(),
            definition.substring("label_values(".length(), definition.indexOf(',')).strip());
      }
    }
    return queries;
  }

  private static String grafanaVariables(String expr) {
    return expr.replace("$__rate_interval", "1m").replace("$instance", ".+");
  }

  @Test
  void everyQueryOfTheDashboardParsesWithPromRoutesParser() throws Exception {
    Map<String, String> queries = queries();

    assertThat(queries).hasSizeGreaterThanOrEqualTo(12);
    queries.forEach(
        (panel, query) -> assertThat(PromQL.print(PromQL.parse(query))).as(panel).isNotEmpty());
  }

  @Test
  void everyQueryOfTheDashboardReturnsDataFromAPrometheusScrapingARouter() throws Exception {
    Path[] binaries = PrometheusFixture.requireBinaries();
    try (FakePrometheus a = new FakePrometheus("node-a:9100");
        FakePrometheus b = new FakePrometheus("node-b:9100")) {
      Path file = directory.resolve("router.yml");
      // Shard c: nothing listens on port 1 of the loopback, so that failures and partial answers
      // show.
      Files.writeString(
          file,
          "prome_servers:\n  a: "
              + a.address()
              + "\n  b: "
              + b.address()
              + "\n  c: 127.0.0.1:1\nhttp:\n  listen_addr: 127.0.0.1:0\nupstream:\n  partial_response: true\n");
      RouterServer router =
          new RouterServer(
              file,
              RouterConfig.load(file),
              RouterEngines::create,
              UpstreamClient.jdk(),
              new RouterMetrics(true),
              line -> {},
              RouterOptions.forTests());
      router.start();
      try (PrometheusServer prometheus =
          PrometheusServer.start("scraper", binaries[0], directory.resolve("data"), directory)) {
        Files.writeString(
            directory.resolve("scraper.yml"),
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1m\n"
                + "scrape_configs:\n  - job_name: promroute\n    static_configs:\n      - targets: ['"
                + router.baseUri().getAuthority()
                + "']\n");
        awaitReload(prometheus);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, String> queries = queries();
        Map<String, String> empty = new LinkedHashMap<>(queries);
        while (!empty.isEmpty() && System.nanoTime() < deadline) {
          traffic(router.baseUri());
          Thread.sleep(1000);
          for (Map.Entry<String, String> query : new ArrayList<>(empty.entrySet())) {
            if (hasData(prometheus.baseUri(), query.getValue())) {
              empty.remove(query.getKey());
            }
          }
        }
        assertThat(empty)
            .as("queries that returned no data; log: " + prometheus.logTail())
            .isEmpty();
      } finally {
        router.close();
      }
    }
  }

  /** A single-shard query, a fan-out, a cross-shard sum (partial: c is down) and a bad query. */
  private void traffic(URI router) throws Exception {
    for (String query : List.of("up{cluster=\"a\"}", "up", "sum(up)", "sum(")) {
      http.send(
          HttpRequest.newBuilder(
                  router.resolve("/api/v1/query?query=" + URLEncoder.encode(query, UTF_8)))
              .build(),
          HttpResponse.BodyHandlers.discarding());
    }
  }

  private void awaitReload(PrometheusServer prometheus) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        HttpResponse<String> reload =
            http.send(
                HttpRequest.newBuilder(prometheus.baseUri().resolve("/-/reload"))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (reload.statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "prometheus did not take its scrape configuration: " + prometheus.logTail());
      }
      Thread.sleep(100);
    }
  }

  private boolean hasData(URI prometheus, String query) throws Exception {
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(
                    prometheus.resolve("/api/v1/query?query=" + URLEncoder.encode(query, UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(answer.body());
    assertThat(body.path("status").asText()).as(query + ": " + answer.body()).isEqualTo("success");
    return body.path("data").path("result").size() > 0;
  }
}
