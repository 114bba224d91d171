package io.promroute.servlet.it.promqltest;

import io.promroute.router.ShardTarget;
import io.promroute.servlet.PromRouteFilter;
import io.promroute.servlet.it.JettyRouter;
import io.promroute.servlet.it.PrometheusFixture;
import io.promroute.servlet.it.PrometheusServer;
import io.promroute.servlet.it.promqltest.TestScript.Sample;
import io.promroute.servlet.it.promqltest.TestScript.Segment;
import io.promroute.servlet.it.promqltest.TestScript.Series;
import io.promroute.shard.ShardRewriter;
import jakarta.servlet.Filter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The servers of one segment: three shard Prometheus servers ({@code a}, {@code b}, {@code c}),
 * each holding the series that a stable hash of the label set gives it (without the shard label), a
 * global Prometheus holding every series with {@code cluster="<shard>"}, and the router
 * (PromRouteFilter in Jetty 12, default policies) in front of the shards.
 *
 * <p>Data goes in through OpenMetrics files and {@code promtool tsdb create-blocks-from
 * openmetrics}; a segment with stale markers, which that import cannot write, goes in by remote
 * write instead ({@link RemoteWrite}), into the head of servers started with the receiver on.
 */
final class SegmentServers implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final Path directory;
  private final List<PrometheusServer> servers;
  private final PrometheusServer global;
  private final JettyRouter router;

  private SegmentServers(
      Path directory, List<PrometheusServer> servers, PrometheusServer global, JettyRouter router) {
    this.directory = directory;
    this.servers = servers;
    this.global = global;
    this.router = router;
  }

  /** The shard of a series: CRC32 of its sorted label set, modulo the number of shards. */
  static String shardOf(SortedMap<String, String> labels) {
    CRC32 crc = new CRC32();
    labels.forEach(
        (name, value) -> {
          crc.update(name.getBytes(StandardCharsets.UTF_8));
          crc.update(0);
          crc.update(value.getBytes(StandardCharsets.UTF_8));
          crc.update(0);
        });
    return PrometheusFixture.SHARDS.get((int) (crc.getValue() % PrometheusFixture.SHARDS.size()));
  }

  /**
   * Whether the segment's data goes in by remote write: stale markers (which promtool's OpenMetrics
   * import cannot write) and series without a name (which OpenMetrics cannot write).
   */
  static boolean needsRemoteWrite(Segment segment) {
    return segment.series().stream()
        .anyMatch(series -> series.hasStaleMarker() || !series.labels().containsKey("__name__"));
  }

  /** Writes the data, builds the blocks, starts the four servers and the router. */
  static SegmentServers start(Segment segment, Path prometheus, Path promtool) throws Exception {
    Path directory = Files.createTempDirectory("promroute-promqltest-");
    List<PrometheusServer> started = new ArrayList<>();
    JettyRouter router = null;
    try {
      boolean remoteWrite = needsRemoteWrite(segment);
      Map<String, List<Series>> seriesByServer = seriesByServer(segment);
      Map<String, Path> dataDirectories = new LinkedHashMap<>();
      for (String name : seriesByServer.keySet()) {
        dataDirectories.put(name, Files.createDirectories(directory.resolve(name + "-data")));
      }
      List<String> flags = remoteWrite ? List.of("--web.enable-remote-write-receiver") : List.of();
      if (!remoteWrite) {
        writeBlocks(seriesByServer, dataDirectories, directory, promtool);
      }
      Map<String, PrometheusServer> byName = new LinkedHashMap<>();
      for (Map.Entry<String, Path> entry : dataDirectories.entrySet()) {
        PrometheusServer server =
            PrometheusServer.start(entry.getKey(), prometheus, entry.getValue(), directory, flags);
        started.add(server);
        byName.put(entry.getKey(), server);
      }
      for (String name : List.copyOf(byName.keySet())) {
        for (int attempt = 1; ; attempt++) {
          PrometheusServer server = byName.get(name);
          try {
            // /-/ready is 200 once the TSDB is open with its blocks; vector(1) proves the engine
            // answers.
            server.awaitReady(CLIENT, READY_TIMEOUT, "vector(1)", 0);
            break;
          } catch (IllegalStateException e) {
            // The free port may have been taken in between: another one, twice.
            if (attempt == 3 || !e.getMessage().contains("exited")) {
              throw e;
            }
            server.close();
            server =
                PrometheusServer.start(
                    name, prometheus, dataDirectories.get(name), directory, flags);
            started.add(server);
            byName.put(name, server);
          }
        }
      }
      if (remoteWrite) {
        for (Map.Entry<String, List<Series>> entry : seriesByServer.entrySet()) {
          if (!entry.getValue().isEmpty()) {
            RemoteWrite.write(byName.get(entry.getKey()).baseUri(), entry.getValue());
          }
        }
      }
      Map<String, String> shards = new LinkedHashMap<>();
      for (String key : PrometheusFixture.SHARDS) {
        shards.put(key, byName.get("shard-" + key).hostPort());
      }
      router = JettyRouter.start(routerFilter(shards));
      return new SegmentServers(
          directory, List.copyOf(byName.values()), byName.get("global"), router);
    } catch (Exception | Error e) {
      if (router != null) {
        closeRouter(router);
      }
      stop(started);
      deleteRecursively(directory);
      throw e;
    }
  }

  /**
   * The router: shard label {@code cluster}, shards a, b, c, default settings; it accepts
   * Prometheus 2's functions ({@code holt_winters}) because the shards run 2.42 (the default PromQL
   * dialect follows the shards).
   */
  static Filter routerFilter(Map<String, String> shards) {
    ShardRewriter rewriter =
        ShardRewriter.builder()
            .shardLabel(PrometheusFixture.SHARD_LABEL)
            .shards(List.copyOf(shards.keySet()))
            .build();
    PromRouteFilter.Builder builder = PromRouteFilter.builder().rewriter(rewriter);
    shards.forEach((key, hostPort) -> builder.shard(key, ShardTarget.of(hostPort)));
    return builder.build();
  }

  /** Each server's series: {@code shard-<key>} without the shard label, {@code global} with it. */
  private static Map<String, List<Series>> seriesByServer(Segment segment) {
    Map<String, List<Series>> seriesByShard = new LinkedHashMap<>();
    PrometheusFixture.SHARDS.forEach(key -> seriesByShard.put(key, new ArrayList<>()));
    for (Series series : segment.series()) {
      seriesByShard.get(shardOf(series.labels())).add(series);
    }
    Map<String, List<Series>> seriesByServer = new LinkedHashMap<>();
    List<Series> global = new ArrayList<>();
    seriesByShard.forEach(
        (key, series) -> {
          seriesByServer.put("shard-" + key, series);
          for (Series one : series) {
            TreeMap<String, String> labels = new TreeMap<>(one.labels());
            labels.put(PrometheusFixture.SHARD_LABEL, key);
            global.add(new Series(labels, one.samples()));
          }
        });
    seriesByServer.put("global", global);
    return seriesByServer;
  }

  /** Writes one OpenMetrics file per server and runs promtool on each (in parallel). */
  private static void writeBlocks(
      Map<String, List<Series>> seriesByServer,
      Map<String, Path> dataDirectories,
      Path directory,
      Path promtool)
      throws IOException, InterruptedException {
    Map<String, Process> promtools = new LinkedHashMap<>();
    for (Map.Entry<String, List<Series>> entry : seriesByServer.entrySet()) {
      String name = entry.getKey();
      Path data = dataDirectories.get(name);
      if (entry.getValue().stream().allMatch(series -> series.samples().isEmpty())) {
        continue; // an empty TSDB; promtool wants samples
      }
      Path input = directory.resolve(name + ".om");
      try (Writer out = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
        writeOpenMetrics(out, entry.getValue());
      }
      promtools.put(
          name,
          new ProcessBuilder(
                  promtool.toString(),
                  "tsdb",
                  "create-blocks-from",
                  "openmetrics",
                  "--quiet",
                  input.toString(),
                  data.toString())
              .redirectErrorStream(true)
              .redirectOutput(directory.resolve(name + "-promtool.log").toFile())
              .start());
    }
    for (Map.Entry<String, Process> entry : promtools.entrySet()) {
      Process process = entry.getValue();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "promtool tsdb create-blocks-from openmetrics failed for "
                + entry.getKey()
                + ": "
                + Files.readString(
                    directory.resolve(entry.getKey() + "-promtool.log"), StandardCharsets.UTF_8));
      }
    }
  }

  /**
   * OpenMetrics text: each series' samples together and in time order (promtool appends them in
   * file order), series grouped by metric name, no TYPE lines (all {@code unknown}).
   */
  static void writeOpenMetrics(Appendable out, List<Series> series) throws IOException {
    List<Series> sorted = new ArrayList<>(series);
    sorted.sort(Comparator.comparing(s -> s.labels().get("__name__")));
    for (Series one : sorted) {
      StringBuilder prefix = new StringBuilder(one.labels().get("__name__")).append('{');
      boolean first = true;
      for (Map.Entry<String, String> label : one.labels().entrySet()) {
        if (label.getKey().equals("__name__")) {
          continue;
        }
        if (!first) {
          prefix.append(',');
        }
        first = false;
        prefix.append(label.getKey()).append("=\"");
        escape(prefix, label.getValue());
        prefix.append('"');
      }
      prefix.append("} ");
      for (Sample sample : one.samples()) {
        out.append(prefix)
            .append(format(sample.value()))
            .append(' ')
            .append(seconds(sample.timeMillis()))
            .append('\n');
      }
    }
    out.append("# EOF\n");
  }

  private static void escape(StringBuilder out, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
  }

  /** A float that Go's ParseFloat reads back exactly. */
  static String format(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    return Double.toString(value);
  }

  /** Milliseconds as seconds with three decimals, the API's and OpenMetrics's time notation. */
  static String seconds(long millis) {
    return String.format(
        "%s%d.%03d", millis < 0 ? "-" : "", Math.abs(millis) / 1000, Math.abs(millis) % 1000);
  }

  URI router() {
    return router.baseUri();
  }

  URI global() {
    return global.baseUri();
  }

  /** Stops the router, then the servers, and deletes the data. */
  @Override
  public void close() {
    try {
      closeRouter(router);
    } finally {
      stop(servers);
      deleteRecursively(directory);
    }
  }

  private static void closeRouter(JettyRouter router) {
    try {
      router.close();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      System.err.println("SegmentServers: could not stop the router: " + e);
    }
  }

  /** SIGTERM to all first, then wait for each: the four stop together. */
  private static void stop(List<PrometheusServer> servers) {
    servers.parallelStream().forEach(PrometheusServer::close);
  }

  private static void deleteRecursively(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.deleteIfExists(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      System.err.println("SegmentServers: could not delete " + directory + ": " + e);
    }
  }
}
