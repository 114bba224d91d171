package io.promroute.examples;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes what {@code bin/promroute-demo} needs: one OpenMetrics file of generated samples per shard
 * (for {@code promtool tsdb create-blocks-from openmetrics}), a Prometheus configuration for the
 * shard servers, and the router's configuration.
 *
 * <pre>
 * java -cp promroute-standalone.jar io.promroute.examples.DemoData --out DIR
 *     [--shards a,b,c] [--first-port 9191] [--router-port 9097] [--instances 3]
 * </pre>
 *
 * <p>Each instance has 12 series; the benchmark raises {@code --instances} for large answers.
 *
 * <p>The samples run from 6 hours before now to 3 hours after, every 15 seconds, so that Grafana's
 * default "last 6 hours" is full and instant queries keep answering while the demo runs. The values
 * depend only on the shard, the series and the sample's position, never on a random source: two
 * runs differ only in their timestamps. The shards' samples carry no shard label, as in
 * prome-route's setup; the router adds it.
 */
public final class DemoData {

  static final Duration PAST = Duration.ofHours(6);
  static final Duration FUTURE = Duration.ofHours(3);
  static final Duration STEP = Duration.ofSeconds(15);
  static final int DEFAULT_INSTANCES = 3;

  private DemoData() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    if (args.length % 2 != 0 || !options.containsKey("out")) {
      System.err.println(
          "usage: DemoData --out DIR [--shards a,b,c] [--first-port 9191] [--router-port 9097] [--instances 3]");
      System.exit(2);
    }
    Path out = Path.of(options.get("out"));
    List<String> shards = List.of(options.getOrDefault("shards", "a,b,c").split(","));
    int firstPort = Integer.parseInt(options.getOrDefault("first-port", "9191"));
    int routerPort = Integer.parseInt(options.getOrDefault("router-port", "9097"));
    int instances =
        Integer.parseInt(options.getOrDefault("instances", Integer.toString(DEFAULT_INSTANCES)));
    Files.createDirectories(out);
    Instant now = Instant.now();
    for (String shard : shards) {
      long samples = writeOpenMetrics(out.resolve(shard + ".om"), shard, now, instances);
      System.out.println(out.resolve(shard + ".om") + ": " + samples + " samples");
    }
    Files.writeString(out.resolve("prometheus.yml"), prometheusConfig());
    Files.writeString(out.resolve("promroute.yml"), routerConfig(shards, firstPort, routerPort));
    System.out.println(out.resolve("promroute.yml") + ": router configuration");
  }

  /**
   * Writes one shard's samples, from {@link #PAST} before {@code now} to {@link #FUTURE} after it
   * (public for the standalone router's end-to-end test of the demo).
   *
   * @param file the OpenMetrics file written
   * @param shard the shard's key, which its series vary by
   * @param now the time the samples are written around
   * @return the number of samples written
   * @throws IOException when the file cannot be written
   */
  public static long writeOpenMetrics(Path file, String shard, Instant now) throws IOException {
    return writeOpenMetrics(file, shard, now, DEFAULT_INSTANCES);
  }

  /**
   * {@link #writeOpenMetrics(Path, String, Instant)} with {@code instances} instances (12 series
   * each).
   */
  static long writeOpenMetrics(Path file, String shard, Instant now, int instances)
      throws IOException {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= instances; i++) {
      names.add("node-" + i);
    }
    long step = STEP.toSeconds();
    long end = now.getEpochSecond() + FUTURE.toSeconds();
    end -= end % step;
    long start = end - (PAST.toSeconds() + FUTURE.toSeconds());
    // Each shard differs in size, so that answers tell the shards apart.
    double scale = 1 + (Math.floorMod(shard.hashCode(), 7)) / 2.0;
    // How busy the shard's CPUs are: the modes' rates still add up to 1 second per second.
    double busy = 0.5 + (Math.floorMod(shard.hashCode(), 7)) / 10.0;
    long samples = 0;
    try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      samples +=
          family(
              writer,
              "up",
              "gauge",
              "1 if the target answered its last scrape.",
              series(names, "up", "job", "node"),
              start,
              end,
              (series, i) -> 1);
      samples +=
          family(
              writer,
              "node_cpu_seconds",
              "counter",
              "Seconds the CPUs spent in each mode.",
              cpuSeries(names),
              start,
              end,
              (series, i) -> {
                double rate =
                    switch (series.labels().get("mode")) {
                      case "user" -> 0.20 * busy;
                      case "system" -> 0.05 * busy;
                      default -> 1 - 0.25 * busy;
                    };
                // A wave on top of a steady rate; its slope stays below the rate, so the counter
                // only grows.
                return Math.round(
                        (i * step * rate + 200 * rate * (1 - Math.cos(i / 40.0 + series.index())))
                            * 100)
                    / 100.0;
              });
      samples +=
          family(
              writer,
              "node_memory_MemAvailable_bytes",
              "gauge",
              "Memory available, in bytes.",
              series(names, "node_memory_MemAvailable_bytes", "job", "node"),
              start,
              end,
              (series, i) ->
                  Math.round((4e9 + 1e9 * Math.sin(i / 120.0 + series.index())) * scale / 4096)
                      * 4096.0);
      samples +=
          family(
              writer,
              "http_requests",
              "counter",
              "HTTP requests served.",
              httpSeries(names),
              start,
              end,
              (series, i) -> {
                double perSecond =
                    scale
                        * (series.labels().get("code").equals("200") ? 10 : 0.5)
                        * (series.labels().get("method").equals("GET") ? 3 : 1);
                // A slow daily-looking wave, summed up, keeps the counter increasing.
                return Math.floor(
                    i * step * perSecond + 50 * perSecond * (1 - Math.cos(i / 200.0)));
              });
      writer.write("# EOF\n");
    }
    return samples;
  }

  /** One series: its metric name, labels and a stable index for varying the shapes. */
  record Series(String name, Map<String, String> labels, int index) {}

  @FunctionalInterface
  interface Value {
    double at(Series series, long sampleIndex);
  }

  private static List<Series> series(
      List<String> instances, String name, String labelName, String labelValue) {
    List<Series> series = new ArrayList<>();
    for (String instance : instances) {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("instance", instance + ":9100");
      labels.put(labelName, labelValue);
      series.add(new Series(name, labels, series.size()));
    }
    return series;
  }

  private static List<Series> cpuSeries(List<String> instances) {
    List<Series> series = new ArrayList<>();
    for (String instance : instances) {
      for (String cpu : List.of("0", "1")) {
        for (String mode : List.of("idle", "system", "user")) {
          Map<String, String> labels = new LinkedHashMap<>();
          labels.put("cpu", cpu);
          labels.put("instance", instance + ":9100");
          labels.put("job", "node");
          labels.put("mode", mode);
          series.add(new Series("node_cpu_seconds_total", labels, series.size()));
        }
      }
    }
    return series;
  }

  private static List<Series> httpSeries(List<String> instances) {
    List<Series> series = new ArrayList<>();
    for (String instance : instances) {
      for (String method : List.of("GET", "POST")) {
        for (String code : List.of("200", "500")) {
          Map<String, String> labels = new LinkedHashMap<>();
          labels.put("code", code);
          labels.put("instance", instance + ":8080");
          labels.put("job", "api");
          labels.put("method", method);
          series.add(new Series("http_requests_total", labels, series.size()));
        }
      }
    }
    return series;
  }

  private static long family(
      BufferedWriter writer,
      String family,
      String type,
      String help,
      List<Series> series,
      long start,
      long end,
      Value value)
      throws IOException {
    writer.write("# TYPE " + family + " " + type + "\n");
    writer.write("# HELP " + family + " " + help + "\n");
    long samples = 0;
    long step = STEP.toSeconds();
    for (Series one : series) {
      StringBuilder labels = new StringBuilder(one.name()).append('{');
      one.labels()
          .forEach(
              (name, labelValue) -> {
                if (labels.charAt(labels.length() - 1) != '{') {
                  labels.append(',');
                }
                labels.append(name).append("=\"").append(labelValue).append('"');
              });
      String prefix = labels.append("} ").toString();
      for (long t = start, i = 0; t <= end; t += step, i++) {
        writer.write(prefix);
        writer.write(format(value.at(one, i)));
        writer.write(' ');
        writer.write(Long.toString(t));
        writer.write('\n');
        samples++;
      }
    }
    return samples;
  }

  private static String format(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%.6f", value);
  }

  /** The shard servers scrape nothing: all their data is the generated blocks. */
  static String prometheusConfig() {
    return """
        # Written by DemoData: the demo's shard servers scrape nothing; their data is backfilled.
        global:
          scrape_interval: 1m
        """;
  }

  /** The router's configuration, in prome-route's format. */
  static String routerConfig(List<String> shards, int firstPort, int routerPort) {
    StringBuilder yaml =
        new StringBuilder()
            .append(
                "# Written by DemoData for bin/promroute-demo: prome-route's format, plus extensions.\n")
            .append("replace_label_name: cluster\n")
            .append("prome_servers:\n");
    for (int i = 0; i < shards.size(); i++) {
      yaml.append("  ")
          .append(shards.get(i))
          .append(": 127.0.0.1:")
          .append(firstPort + i)
          .append('\n');
    }
    return yaml.append("http:\n")
        .append("  listen_addr: 127.0.0.1:")
        .append(routerPort)
        .append('\n')
        .append("upstream:\n")
        .append("  timeout: 30s\n")
        .toString();
  }
}
