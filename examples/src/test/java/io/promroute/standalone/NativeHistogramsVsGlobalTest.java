package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promroute.router.UpstreamClient;
import io.promroute.servlet.RouterConfig;
import io.promroute.servlet.it.PrometheusFixture;
import io.promroute.servlet.it.PrometheusServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native histograms across shards against one global Prometheus: three shard Prometheus servers
 * (2.42, {@code --enable-feature=native-histograms}) each scrape an exporter of static native
 * histograms (different schemas, zero thresholds and observations per shard, negative and zero
 * observations included); a global Prometheus scrapes the same exporters with the shard label as a
 * target label. The router over the shards (per-shard partial sums, and exact sums) must answer
 * what the global one answers, histograms bucket by bucket, within 1e-9.
 */
class NativeHistogramsVsGlobalTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<String> SHARDS = List.of("a", "b", "c");
  private static final List<HttpServer> EXPORTERS = new ArrayList<>();
  private static final List<PrometheusServer> SERVERS = new ArrayList<>();
  private static final List<RouterServer> ROUTERS = new ArrayList<>();
  private static final List<String> ACCESS_LOG = new CopyOnWriteArrayList<>();
  private static PrometheusServer global;

  /** Every server has scraped by then; the histograms do not change afterwards. */
  private static long readySeconds;

  @TempDir static Path directory;

  @BeforeAll
  static void start() throws Exception {
    Path[] binaries = PrometheusFixture.requireBinaries();
    List<String> exporters = new ArrayList<>();
    exporters.add(
        exporter(3, 1e-3, new double[][] {{0.1, 0.5, 1.2, 3, 7, -0.4, 0, 0}, {0.25, 2, 2, 9}}));
    // The API's JSON shows a zero threshold only with a populated zero bucket: the shard with the
    // widest one has observations in it (see NativeHistogram).
    exporters.add(exporter(1, 0.01, new double[][] {{0.005, 0.2, 2.5, 10, 100, -3}, {1, 0}}));
    exporters.add(
        exporter(0, Math.scalb(1.0, -128), new double[][] {{0.3, 4, 50}, {0.7, 0.8, -0.001}}));
    List<String> flags = List.of("--enable-feature=native-histograms");
    StringBuilder globalConfig =
        new StringBuilder("global:\n  scrape_interval: 1s\nscrape_configs:\n");
    StringBuilder routerConfig = new StringBuilder("replace_label_name: cluster\nprome_servers:\n");
    for (int s = 0; s < SHARDS.size(); s++) {
      String shard = SHARDS.get(s);
      // Shards a and b run job "api", c runs "web": sum by (job) mixes schemas.
      String job = s < 2 ? "api" : "web";
      String scrape =
          "  - job_name: "
              + job
              + "\n    static_configs:\n      - targets: ['"
              + exporters.get(s)
              + "']\n";
      PrometheusServer server =
          PrometheusServer.start(
              "histogram-shard-" + shard,
              binaries[0],
              directory.resolve("data-" + shard),
              directory,
              flags,
              "global:\n  scrape_interval: 1s\nscrape_configs:\n" + scrape);
      SERVERS.add(server);
      globalConfig
          .append("  - job_name: ")
          .append(job)
          .append("-")
          .append(shard)
          .append("\n    static_configs:\n      - targets: ['")
          .append(exporters.get(s))
          .append("']\n        labels:\n          cluster: ")
          .append(shard)
          // The job label as the shard's own scrape sets it.
          .append("\n    relabel_configs:\n      - target_label: job\n        replacement: ")
          .append(job)
          .append('\n');
      routerConfig.append("  ").append(shard).append(": ").append(server.hostPort()).append('\n');
    }
    global =
        PrometheusServer.start(
            "histogram-global",
            binaries[0],
            directory.resolve("data-global"),
            directory,
            flags,
            globalConfig.toString());
    SERVERS.add(global);
    awaitScraped();
    routerConfig.append("http:\n  listen_addr: 127.0.0.1:0\n");
    for (String aggregation : List.of("partials", "exact")) {
      Path file = directory.resolve("promroute-" + aggregation + ".yml");
      Files.writeString(file, routerConfig + "cross_shard:\n  aggregation: " + aggregation + "\n");
      RouterServer router =
          new RouterServer(
              file,
              RouterConfig.load(file),
              RouterEngines::create,
              UpstreamClient.jdk(),
              new RouterMetrics(false),
              ACCESS_LOG::add,
              RouterOptions.forTests());
      router.start();
      ROUTERS.add(router);
    }
  }

  /**
   * An exporter of one native histogram {@code h} with a label {@code handler}, one child per row
   * of {@code observations}, observed once before any scrape.
   */
  private static String exporter(int schema, double zeroThreshold, double[][] observations)
      throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    Histogram histogram =
        Histogram.builder()
            .name("h")
            .help("static native histogram")
            .labelNames("handler")
            .nativeOnly()
            .nativeInitialSchema(schema)
            .nativeMinZeroThreshold(zeroThreshold)
            .nativeMaxZeroThreshold(zeroThreshold)
            .register(registry);
    for (int i = 0; i < observations.length; i++) {
      for (double value : observations[i]) {
        histogram.labelValues("/" + i).observe(value);
      }
    }
    ExpositionFormats formats = ExpositionFormats.init();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          ExpositionFormatWriter writer =
              formats.findWriter(exchange.getRequestHeaders().getFirst("Accept"));
          exchange.getResponseHeaders().add("Content-Type", writer.getContentType());
          exchange.sendResponseHeaders(200, 0);
          try (OutputStream out = exchange.getResponseBody()) {
            writer.write(out, registry.scrape());
          }
        });
    server.start();
    EXPORTERS.add(server);
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Until each shard holds its two histograms and the global one all six, as native histograms. */
  private static void awaitScraped() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    for (PrometheusServer server : SERVERS) {
      int expected = server == global ? 6 : 2;
      while (true) {
        long now = System.currentTimeMillis() / 1000;
        try {
          JsonNode result = query(server.baseUri(), "histogram_count(h)", now);
          if (result.size() == expected) {
            break;
          }
        } catch (java.io.IOException notListeningYet) {
          // retried below
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              server + " has not scraped its native histograms: " + server.logTail());
        }
        Thread.sleep(200);
      }
    }
    readySeconds = System.currentTimeMillis() / 1000 + 1;
    Thread.sleep(3_000);
  }

  @AfterAll
  static void stop() {
    for (RouterServer router : ROUTERS) {
      router.close();
    }
    SERVERS.forEach(PrometheusServer::close);
    EXPORTERS.forEach(exporter -> exporter.stop(0));
  }

  private static final List<String> QUERIES =
      List.of(
          "h",
          "sum(h)",
          "sum by (job) (h)",
          "sum by (handler) (h)",
          "sum without (instance) (h)",
          "avg(h)",
          "count(h)",
          "count by (job) (h)",
          "max(h)",
          "group(h)",
          "histogram_quantile(0.9, sum(h))",
          "histogram_quantile(0.5, sum by (job) (h))",
          "histogram_quantile(0.01, sum by (handler) (h))",
          "histogram_quantile(0.9, h)",
          "histogram_count(sum(h))",
          "histogram_sum(sum by (job) (h))",
          "histogram_sum(avg(h))",
          "histogram_fraction(0, 1, sum(h))",
          "histogram_fraction(-1, 0.5, sum by (job) (h))",
          "sum(h{cluster=\"a\"}) + sum(h{cluster=\"b\"})",
          "-sum(h)",
          "sum(h) * 2",
          "sum(h) - sum(h)",
          "sum(h) + sum(h)",
          "sum(h) / sum(h)",
          "sum(h) >= 0",
          "sum(h) > 0",
          "sum by (job) (h) + 1",
          "sum(h) and sum(h)",
          "sort(sum by (job) (h))",
          "label_replace(sum(h), \"x\", \"y\", \"\", \"\")",
          "quantile(0.5, h)",
          "stddev(h)",
          "count_values(\"v\", h)",
          "histogram_quantile(0.9, sum(h) + sum(h))",
          "histogram_count(h)");

  @Test
  void instantQueriesOverNativeHistogramsEqualTheGlobalPrometheus() throws Exception {
    int histograms = 0;
    for (RouterServer router : ROUTERS) {
      for (String promql : QUERIES) {
        JsonNode expected = query(global.baseUri(), promql, readySeconds);
        JsonNode actual = query(router.baseUri(), promql, readySeconds);
        assertSameResult(promql, actual, expected);
        histograms += expected.toString().contains("\"histogram\"") ? 1 : 0;
      }
    }
    // The comparison covered histograms, not only floats.
    assertThat(histograms).isGreaterThanOrEqualTo(14);
  }

  @Test
  void rangeQueriesOverNativeHistogramsEqualTheGlobalPrometheus() throws Exception {
    for (RouterServer router : ROUTERS) {
      for (String promql : QUERIES) {
        JsonNode expected = queryRange(global.baseUri(), promql, readySeconds, readySeconds + 2);
        JsonNode actual = queryRange(router.baseUri(), promql, readySeconds, readySeconds + 2);
        assertSameResult(promql + " (range)", actual, expected);
      }
    }
  }

  @Test
  void withExactSumsTheAnswersAreTheGlobalOnesToTheLastBitButBoundsNoShardWrote() throws Exception {
    RouterServer exact = ROUTERS.get(1);
    for (String promql : QUERIES) {
      JsonNode expected = query(global.baseUri(), promql, readySeconds);
      JsonNode actual = query(exact.baseUri(), promql, readySeconds);
      assertSameResult(promql, actual, expected, true);
    }
  }

  private static JsonNode query(URI base, String promql, long time) throws Exception {
    return result(
        base.resolve(
            "/api/v1/query?time="
                + time
                + "&query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
  }

  private static JsonNode queryRange(URI base, String promql, long start, long end)
      throws Exception {
    return result(
        base.resolve(
            "/api/v1/query_range?start="
                + start
                + "&end="
                + end
                + "&step=1&query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
  }

  private static JsonNode result(URI uri) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(uri + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("data").path("result");
  }

  /**
   * Same series (by labels), same points; numbers within 1e-9 (relative), histograms bucket by
   * bucket.
   */
  private static void assertSameResult(String promql, JsonNode actual, JsonNode expected) {
    assertSameResult(promql, actual, expected, false);
  }

  /**
   * @param bitExact every value the same to the last bit, but bucket bounds no shard wrote (the
   *     router computes them an ulp at most from Prometheus's table, see BucketBounds)
   */
  private static void assertSameResult(
      String promql, JsonNode actual, JsonNode expected, boolean bitExact) {
    Map<String, JsonNode> actualSeries = byLabels(actual);
    Map<String, JsonNode> expectedSeries = byLabels(expected);
    assertThat(actualSeries.keySet())
        .as(promql + ": series of " + actual + " vs " + expected)
        .isEqualTo(expectedSeries.keySet());
    for (Map.Entry<String, JsonNode> entry : expectedSeries.entrySet()) {
      JsonNode want = entry.getValue();
      JsonNode got = actualSeries.get(entry.getKey());
      List<String> fields = new ArrayList<>();
      want.fieldNames().forEachRemaining(fields::add);
      List<String> gotFields = new ArrayList<>();
      got.fieldNames().forEachRemaining(gotFields::add);
      assertThat(gotFields).as(promql + ": fields of " + got + " vs " + want).isEqualTo(fields);
      for (String field : fields) {
        if (!field.equals("metric")) {
          assertSameJson(
              promql + " " + entry.getKey() + ": " + got + " vs " + want,
              got.get(field),
              want.get(field),
              bitExact,
              false);
        }
      }
    }
  }

  private static Map<String, JsonNode> byLabels(JsonNode result) {
    Map<String, JsonNode> series = new TreeMap<>();
    for (JsonNode one : result) {
      Map<String, String> labels = new TreeMap<>();
      one.path("metric")
          .properties()
          .forEach(label -> labels.put(label.getKey(), label.getValue().asText()));
      series.put(labels.toString(), one);
    }
    return series;
  }

  private static void assertSameJson(
      String what, JsonNode got, JsonNode want, boolean bitExact, boolean bound) {
    if (want.isTextual() && got.isTextual()) {
      double x = Double.parseDouble(got.asText().replace("Inf", "Infinity"));
      double y = Double.parseDouble(want.asText().replace("Inf", "Infinity"));
      if (bitExact && bound) {
        assertThat(Math.abs(x - y))
            .as(what + ": " + got + " vs " + want)
            .isLessThanOrEqualTo(Math.ulp(y));
      } else if (bitExact || Double.isNaN(y) || Double.isInfinite(y) || y == 0) {
        assertThat(got.asText()).as(what).isEqualTo(want.asText());
      } else {
        assertThat(Math.abs(x - y))
            .as(what + ": " + got + " vs " + want)
            .isLessThanOrEqualTo(1e-9 * Math.abs(y));
      }
      return;
    }
    assertThat(got.getNodeType())
        .as(what + ": " + got + " vs " + want)
        .isEqualTo(want.getNodeType());
    if (want.isObject() || want.isArray()) {
      assertThat(got.size()).as(what + ": " + got + " vs " + want).isEqualTo(want.size());
      if (want.isObject()) {
        Iterator<String> names = want.fieldNames();
        while (names.hasNext()) {
          String name = names.next();
          assertThat(got.has(name)).as(what + ": " + got + " vs " + want).isTrue();
          assertSameJson(what, got.get(name), want.get(name), bitExact, false);
        }
      } else {
        // A bucket: [boundary rule, "lower", "upper", "count"].
        boolean bucket = want.size() == 4 && want.get(0).isInt();
        for (int i = 0; i < want.size(); i++) {
          assertSameJson(what, got.get(i), want.get(i), bitExact, bucket && (i == 1 || i == 2));
        }
      }
      return;
    }
    assertThat(got).as(what).isEqualTo(want);
  }
}
