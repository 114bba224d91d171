package io.promroute.servlet.it;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntToDoubleFunction;

/**
 * Deterministic test data in the OpenMetrics text format, for {@code promtool tsdb
 * create-blocks-from openmetrics}: one data set per shard (its series without the shard label) and
 * one global data set (every shard's series with {@code <shardLabel>="<key>"}), so that a global
 * Prometheus answers what the router must answer.
 *
 * <p>Two hours of samples, every 15 seconds, from {@link #START} (a 2-hour block boundary, so
 * promtool writes one block per data set). Values depend on the shard's number (1-based position of
 * its key), so that an answer from the wrong shard shows. Every value is an integer or a multiple
 * of 1/8, so sums are exact whatever the order of addition. Instances are named after their shard
 * ({@code 10.0.<shard number>.<n>:9100}), so series lists differ per shard too.
 *
 * <p>Metrics, per shard:
 *
 * <ul>
 *   <li>{@code http_requests_total{code,instance,job,method}}: counter, 16 series;
 *   <li>{@code http_request_duration_seconds_bucket{instance,job,le}}, {@code _count}, {@code
 *       _sum}: classic histogram, 4 label sets;
 *   <li>{@code memory_usage_bytes{instance,job}} and {@code up{instance,job}}: gauges, 4 series
 *       each ({@code up} is 0 for {@code shardNumber - 1} of them);
 *   <li>{@code queue_depth{job="worker",queue}}: {@code queue="default"} on every shard, {@code
 *       queue="priority"} only on shard number 2;
 *   <li>{@code batch_last_success_timestamp_seconds{job="batch"}}: only on shard number 3;
 *   <li>{@code container_memory_working_set_bytes{namespace,pod}}: {@link #LARGE_SERIES} series,
 *       for large range queries (one step per second over the window is about 29 MB of JSON).
 * </ul>
 */
public final class FixtureData {

  /** The first sample, 2026-03-01T00:00:00Z. */
  public static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

  /** The time between two samples of a series. */
  public static final Duration INTERVAL = Duration.ofSeconds(15);

  /** Samples per series: two hours. */
  public static final int SAMPLES = 480;

  /** The last sample, 01:59:45. */
  public static final Instant END = START.plus(INTERVAL.multipliedBy(SAMPLES - 1));

  /** The middle of the window, a good instant-query time: every series has a sample there. */
  public static final Instant MID = START.plus(Duration.ofHours(1));

  /** Series of {@code container_memory_working_set_bytes} per shard. */
  public static final int LARGE_SERIES = 150;

  private static final String[] JOBS = {"api", "web"};
  private static final String[] CODES = {"200", "500"};
  private static final String[] METHODS = {"GET", "POST"};
  private static final String[] BUCKETS = {"0.05", "0.1", "0.5", "1.0", "+Inf"};

  private FixtureData() {}

  /** One shard's data set, without the shard label, as OpenMetrics text ending in {@code # EOF}. */
  public static String shard(int shardNumber) {
    StringBuilder out = new StringBuilder(8 << 20);
    writeShard(out, shardNumber);
    return out.toString();
  }

  /**
   * Writes one shard's data set.
   *
   * @param shardNumber the shard's 1-based position among the shard keys
   */
  public static void writeShard(Appendable out, int shardNumber) {
    write(out, List.of(new ShardData(null, null, shardNumber)));
  }

  /** The global data set, as OpenMetrics text ending in {@code # EOF}. */
  public static String global(String shardLabel, List<String> shardKeys) {
    StringBuilder out = new StringBuilder(24 << 20);
    writeGlobal(out, shardLabel, shardKeys);
    return out.toString();
  }

  /**
   * Writes the global data set: shard number {@code i + 1}'s series, each with {@code
   * shardLabel="<shardKeys[i]>"}.
   */
  public static void writeGlobal(Appendable out, String shardLabel, List<String> shardKeys) {
    requireNonNull(shardLabel, "shardLabel is null");
    List<ShardData> shards = new ArrayList<>();
    for (int i = 0; i < shardKeys.size(); i++) {
      shards.add(new ShardData(shardLabel, shardKeys.get(i), i + 1));
    }
    write(out, shards);
  }

  /**
   * Writes {@code shard-<key>.om} for each shard key and {@code global.om} into {@code directory}.
   *
   * @return file name key ({@code shard-<key>} or {@code global}) to the file written
   */
  public static Map<String, Path> writeFiles(
      Path directory, String shardLabel, List<String> shardKeys) throws IOException {
    Map<String, Path> files = new LinkedHashMap<>();
    for (int i = 0; i < shardKeys.size(); i++) {
      Path file = directory.resolve("shard-" + shardKeys.get(i) + ".om");
      int shardNumber = i + 1;
      try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        writeShard(out, shardNumber);
      }
      files.put("shard-" + shardKeys.get(i), file);
    }
    Path global = directory.resolve("global.om");
    try (Writer out = Files.newBufferedWriter(global, StandardCharsets.UTF_8)) {
      writeGlobal(out, shardLabel, shardKeys);
    }
    files.put("global", global);
    return files;
  }

  /**
   * For demos: {@code FixtureData <directory> [<shard label> <shard key>...]} (default {@code
   * cluster a b c}) writes the files of {@link #writeFiles} and prints how to load them.
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length == 2) {
      System.err.println("usage: FixtureData <directory> [<shard label> <shard key>...]");
      System.exit(2);
    }
    String label = args.length > 1 ? args[1] : "cluster";
    List<String> keys =
        args.length > 2 ? List.of(args).subList(2, args.length) : List.of("a", "b", "c");
    Path directory = Files.createDirectories(Path.of(args[0]));
    for (Map.Entry<String, Path> file : writeFiles(directory, label, keys).entrySet()) {
      System.out.println(
          "promtool tsdb create-blocks-from openmetrics "
              + file.getValue()
              + " "
              + directory.resolve(file.getKey() + "-data"));
    }
    System.out.println(
        "# then: prometheus --storage.tsdb.path=<dir> --storage.tsdb.retention.time=100y ...;"
            + " data from "
            + START
            + " to "
            + END);
  }

  private record ShardData(String label, String key, int number) {}

  /** One label set of a metric family: its samples at one timestamp are written together. */
  private record Point(Map<String, String> labels, List<Sample> samples) {}

  private record Sample(String name, Map<String, String> extraLabels, IntToDoubleFunction value) {}

  private record Family(String name, String type, List<Point> points) {}

  private static void write(Appendable out, List<ShardData> shards) {
    try {
      // A family's samples must be contiguous; each series' timestamps must increase.
      Map<String, String> types = new LinkedHashMap<>();
      Map<String, List<Point>> points = new LinkedHashMap<>();
      for (ShardData shard : shards) {
        for (Family family : families(shard.number())) {
          types.put(family.name(), family.type());
          for (Point point : family.points()) {
            Map<String, String> labels = new TreeMap<>(point.labels());
            if (shard.label() != null) {
              labels.put(shard.label(), shard.key());
            }
            points
                .computeIfAbsent(family.name(), name -> new ArrayList<>())
                .add(new Point(labels, point.samples()));
          }
        }
      }
      for (Map.Entry<String, List<Point>> family : points.entrySet()) {
        out.append("# TYPE ")
            .append(family.getKey())
            .append(' ')
            .append(types.get(family.getKey()))
            .append('\n');
        for (Point point : family.getValue()) {
          List<String> prefixes = new ArrayList<>();
          for (Sample sample : point.samples()) {
            Map<String, String> labels = new TreeMap<>(point.labels());
            labels.putAll(sample.extraLabels());
            StringBuilder prefix = new StringBuilder(sample.name());
            appendLabels(prefix, labels);
            prefixes.add(prefix.append(' ').toString());
          }
          for (int i = 0; i < SAMPLES; i++) {
            String timestamp = Long.toString(START.getEpochSecond() + i * INTERVAL.getSeconds());
            for (int j = 0; j < prefixes.size(); j++) {
              out.append(prefixes.get(j))
                  .append(format(point.samples().get(j).value().applyAsDouble(i)))
                  .append(' ')
                  .append(timestamp)
                  .append('\n');
            }
          }
        }
      }
      out.append("# EOF\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Family> families(int k) {
    List<Family> families = new ArrayList<>();

    List<Point> requests = new ArrayList<>();
    int s = 0;
    for (String job : JOBS) {
      for (String instance : instances(k)) {
        for (String code : CODES) {
          for (String method : METHODS) {
            int increase = k * (s + 1) * (code.equals("500") ? 1 : 7);
            requests.add(
                point(
                    Map.of("job", job, "instance", instance, "code", code, "method", method),
                    new Sample("http_requests_total", Map.of(), i -> (double) increase * i)));
            s++;
          }
        }
      }
    }
    families.add(new Family("http_requests", "counter", requests));

    List<Point> durations = new ArrayList<>();
    List<Point> memory = new ArrayList<>();
    List<Point> up = new ArrayList<>();
    s = 0;
    for (String job : JOBS) {
      for (String instance : instances(k)) {
        Map<String, String> labels = Map.of("job", job, "instance", instance);
        int series = s;
        // Observations per interval in each bucket (not cumulative), then cumulated per le.
        int[] perBucket = {2 * k, 2 + series, 3, k, 1};
        List<Sample> samples = new ArrayList<>();
        int cumulative = 0;
        for (int b = 0; b < BUCKETS.length; b++) {
          cumulative += perBucket[b];
          int count = cumulative;
          samples.add(
              new Sample(
                  "http_request_duration_seconds_bucket",
                  Map.of("le", BUCKETS[b]),
                  i -> (double) count * i));
        }
        int total = cumulative;
        samples.add(
            new Sample("http_request_duration_seconds_count", Map.of(), i -> (double) total * i));
        samples.add(
            new Sample(
                "http_request_duration_seconds_sum",
                Map.of(),
                i -> 0.125 * (k + series) * total * i));
        durations.add(new Point(labels, samples));

        memory.add(
            point(
                labels,
                new Sample(
                    "memory_usage_bytes",
                    Map.of(),
                    i -> 1_000_000.0 * k + 10_000.0 * series + 512.0 * (i % 8))));
        // Shard number k has k - 1 targets down (at most 3).
        up.add(point(labels, new Sample("up", Map.of(), i -> series < Math.min(k - 1, 3) ? 0 : 1)));
        s++;
      }
    }
    families.add(new Family("http_request_duration_seconds", "histogram", durations));
    families.add(new Family("memory_usage_bytes", "gauge", memory));
    families.add(new Family("up", "gauge", up));

    List<Point> queues = new ArrayList<>();
    queues.add(
        point(
            Map.of("job", "worker", "queue", "default"),
            new Sample("queue_depth", Map.of(), i -> 10.0 * k + i % 10)));
    if (k == 2) {
      queues.add(
          point(
              Map.of("job", "worker", "queue", "priority"),
              new Sample("queue_depth", Map.of(), i -> 7.0 + i % 3)));
    }
    families.add(new Family("queue_depth", "gauge", queues));

    if (k == 3) {
      families.add(
          new Family(
              "batch_last_success_timestamp_seconds",
              "gauge",
              List.of(
                  point(
                      Map.of("job", "batch"),
                      new Sample(
                          "batch_last_success_timestamp_seconds",
                          Map.of(),
                          i -> START.getEpochSecond() + 60.0 * (i / 4))))));
    }

    List<Point> pods = new ArrayList<>();
    for (int p = 0; p < LARGE_SERIES; p++) {
      int pod = p;
      pods.add(
          point(
              Map.of("namespace", "default", "pod", String.format("pod-%03d", p)),
              new Sample(
                  "container_memory_working_set_bytes",
                  Map.of(),
                  i -> 100_000_000.0 * k + 1_000_000.0 * pod + 4096.0 * (i % 16))));
    }
    families.add(new Family("container_memory_working_set_bytes", "gauge", pods));
    return families;
  }

  /** Instances have addresses of their shard's network, so series of different shards differ. */
  private static List<String> instances(int k) {
    return List.of("10.0." + k + ".1:9100", "10.0." + k + ".2:9100");
  }

  private static Point point(Map<String, String> labels, Sample sample) {
    return new Point(labels, List.of(sample));
  }

  private static void appendLabels(Appendable out, Map<String, String> labels) throws IOException {
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      out.append(label.getKey()).append("=\"");
      String value = label.getValue();
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        switch (c) {
          case '\\' -> out.append("\\\\");
          case '"' -> out.append("\\\"");
          case '\n' -> out.append("\\n");
          default -> out.append(c);
        }
      }
      out.append('"');
    }
    out.append('}');
  }

  private static String format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
