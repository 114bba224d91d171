import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes-like data for {@code scale-bench.sh}, one OpenMetrics file a run, for
 * {@code promtool tsdb create-blocks-from openmetrics}: a shard's (no shard label, as the router's
 * shards store it) or the global Prometheus's (every shard's series with {@code cluster="<shard>"}).
 *
 * <pre>
 * java ScaleData OUT_FILE SHARDS SERIES_PER_SHARD INTERVAL_SECONDS MINUTES END_EPOCH_SECONDS global|SHARD_NUMBER
 * </pre>
 *
 * <p>Each shard holds exactly {@code SERIES_PER_SHARD} series: about 2 % node gauges
 * ({@code node_memory_MemAvailable_bytes}, {@code node_load1}), about 30 % an HTTP latency histogram
 * ({@code http_request_duration_seconds}: 12 {@code le} buckets, {@code _sum}, {@code _count} per
 * pod and handler) and the rest {@code container_cpu_usage_seconds_total} counters (3 containers a
 * pod, 20 namespaces). Shard {@code k} is {@code s01}, {@code s02}, ...: zero-padded so that the
 * shard keys sort as their numbers do. The shards share pod and node names, as clusters do; values
 * depend on the shard and the series, through a fixed hash, never on a random source, so two runs
 * with the same end time write the same files, and no two series have the same values (so that
 * {@code topk} has no ties to break).
 */
public final class ScaleData {

  static final int NAMESPACES = 20;
  static final String[] CONTAINERS = {"app", "sidecar", "istio-proxy"};
  static final String[] HANDLERS = {"/api/v1/orders", "/api/v1/users"};
  static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  /** Buckets, {@code _sum} and {@code _count}. */
  static final int HISTOGRAM_SERIES = BUCKETS.length + 3;

  private ScaleData() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 7) {
      System.err.println("usage: ScaleData OUT_FILE SHARDS SERIES_PER_SHARD INTERVAL_SECONDS MINUTES END_EPOCH_SECONDS global|SHARD_NUMBER");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    int shards = Integer.parseInt(args[1]);
    int series = Integer.parseInt(args[2]);
    long interval = Long.parseLong(args[3]);
    long minutes = Long.parseLong(args[4]);
    long end = Long.parseLong(args[5]);
    String which = args[6];
    Layout layout = Layout.of(series);
    long start = end - minutes * 60;
    // One file a run, so that the caller can load and delete each before the next is written.
    try (BufferedWriter writer = writer(out)) {
      List<Output> parts = new ArrayList<>();
      if (which.equals("global")) {
        for (int shard = 1; shard <= shards; shard++) {
          parts.add(new Output(shard, "cluster=\"" + shardKey(shard) + "\",", writer));
        }
      } else {
        int shard = Integer.parseInt(which);
        if (shard < 1 || shard > shards) {
          throw new IllegalArgumentException("shard " + shard + " is not in 1.." + shards);
        }
        parts.add(new Output(shard, "", writer));
      }
      // Families one after another: OpenMetrics wants each family's lines together.
      for (Family family : Family.values()) {
        header(writer, family);
        for (Output part : parts) {
          family.write(part, layout, start, end, interval);
        }
      }
      writer.write("# EOF\n");
    }
    if (which.equals("global")) {
      long samples = (end - start) / interval + 1;
      System.out.printf("%d shards x %d series (%d node gauges, %d histogram series, %d container counters), %d samples each%n",
          shards, series, layout.nodes() * 2, layout.histograms() * HISTOGRAM_SERIES, layout.containers(), samples);
    }
  }

  static String shardKey(int shard) {
    return String.format("s%02d", shard);
  }

  private static BufferedWriter writer(Path file) throws IOException {
    return new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), 1 << 20);
  }

  private static void header(BufferedWriter writer, Family family) throws IOException {
    writer.write("# TYPE " + family.family + " " + family.type + "\n");
    writer.write("# HELP " + family.family + " " + family.help + "\n");
  }

  /** Where one shard's lines go: its own file (no prefix) or the global one (the shard label first). */
  record Output(int shard, String prefix, BufferedWriter writer) {}

  /** How a shard's series count splits into the three families. */
  record Layout(int nodes, int histograms, int containers) {
    static Layout of(int series) {
      int nodes = Math.max(1, series / 100);
      int histograms = Math.max(1, series * 3 / 10 / HISTOGRAM_SERIES);
      int containers = series - 2 * nodes - histograms * HISTOGRAM_SERIES;
      if (containers < CONTAINERS.length) {
        throw new IllegalArgumentException("at least 50 series per shard, got " + series);
      }
      return new Layout(nodes, histograms, containers);
    }
  }

  enum Family {
    NODE_MEMORY("node_memory_MemAvailable_bytes", "gauge", "Memory available, in bytes.") {
      @Override
      void write(Output out, Layout layout, long start, long end, long interval) throws IOException {
        nodeGauges(out, layout, family, 1, start, end, interval,
            (u, node, k) -> Math.round((2e9 + 6e9 * u + 1e9 * Math.sin(k / 15.0 + node)) / 4096) * 4096.0);
      }
    },
    NODE_LOAD("node_load1", "gauge", "1-minute load average.") {
      @Override
      void write(Output out, Layout layout, long start, long end, long interval) throws IOException {
        nodeGauges(out, layout, family, 2, start, end, interval,
            (u, node, k) -> round(0.5 + 4 * u + Math.sin(k / 7.0 + node), 1e6));
      }
    },
    HTTP_DURATION("http_request_duration_seconds", "histogram", "HTTP request latency.") {
      @Override
      void write(Output out, Layout layout, long start, long end, long interval) throws IOException {
        for (int h = 0; h < layout.histograms(); h++) {
          int pod = h / HANDLERS.length;
          String common = out.prefix() + "namespace=\"" + namespace(pod) + "\",pod=\"web-" + pod + "\",handler=\""
              + HANDLERS[h % HANDLERS.length] + "\"";
          // Requests per sample interval and the median latency: fixed per shard and histogram.
          double perInterval = 1 + 40 * unit(out.shard(), 3, h);
          double median = 0.01 + 0.4 * unit(out.shard(), 4, h);
          for (int b = 0; b <= BUCKETS.length; b++) {
            double le = b < BUCKETS.length ? BUCKETS[b] : Double.POSITIVE_INFINITY;
            double share = b < BUCKETS.length ? 1 / (1 + Math.exp(-(Math.log(le) - Math.log(median)) / 0.6)) : 1;
            String labels = "http_request_duration_seconds_bucket{" + common + ",le=\""
                + (b < BUCKETS.length ? Double.toString(le) : "+Inf") + "\"} ";
            // floor(total * share) grows with the sample index and with le: buckets stay cumulative.
            samples(out.writer(), labels, start, end, interval, k -> Math.floor(Math.floor(k * perInterval) * share));
          }
          samples(out.writer(), "http_request_duration_seconds_sum{" + common + "} ", start, end, interval,
              k -> round(Math.floor(k * perInterval) * median * 1.3, 1e3));
          samples(out.writer(), "http_request_duration_seconds_count{" + common + "} ", start, end, interval,
              k -> Math.floor(k * perInterval));
        }
      }
    },
    CONTAINER_CPU("container_cpu_usage_seconds", "counter", "CPU time used by the container.") {
      @Override
      void write(Output out, Layout layout, long start, long end, long interval) throws IOException {
        for (int c = 0; c < layout.containers(); c++) {
          int pod = c / CONTAINERS.length;
          String labels = "container_cpu_usage_seconds_total{" + out.prefix() + "namespace=\"" + namespace(pod)
              + "\",pod=\"app-" + pod + "\",container=\"" + CONTAINERS[c % CONTAINERS.length] + "\"} ";
          double rate = 0.001 + 0.5 * unit(out.shard(), 5, c);
          double phase = 10 * unit(out.shard(), 6, c);
          // A wave on a steady rate; its slope (at most 2/9 of the rate) keeps the counter increasing.
          samples(out.writer(), labels, start, end, interval,
              k -> round(rate * interval * (k + 2 * (1 - Math.cos(k / 9.0 + phase))), 1e6));
        }
      }
    };

    final String family;
    final String type;
    final String help;

    Family(String family, String type, String help) {
      this.family = family;
      this.type = type;
      this.help = help;
    }

    abstract void write(Output out, Layout layout, long start, long end, long interval) throws IOException;
  }

  interface Value {
    double at(long sampleIndex);
  }

  /** A node gauge's value from the node's fixed number in [0, 1), the node and the sample index. */
  interface NodeValue {
    double at(double unit, int node, long sampleIndex);
  }

  /** One gauge per node, labelled only with the node (and the shard in the global file). */
  private static void nodeGauges(Output out, Layout layout, String name, int purpose, long start, long end,
      long interval, NodeValue value) throws IOException {
    for (int node = 0; node < layout.nodes(); node++) {
      double unit = unit(out.shard(), purpose, node);
      int index = node;
      samples(out.writer(), name + "{" + out.prefix() + "node=\"" + node(node) + "\"} ", start, end, interval,
          k -> value.at(unit, index, k));
    }
  }

  private static void samples(BufferedWriter writer, String labels, long start, long end, long interval, Value value)
      throws IOException {
    long k = 0;
    for (long t = start; t <= end; t += interval, k++) {
      writer.write(labels);
      double v = value.at(k);
      writer.write(v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v));
      writer.write(' ');
      writer.write(Long.toString(t));
      writer.write('\n');
    }
  }

  private static double round(double value, double scale) {
    return Math.round(value * scale) / scale;
  }

  private static String namespace(int pod) {
    return "ns-" + pod % NAMESPACES;
  }

  private static String node(int node) {
    return "node-" + node;
  }

  /** A fixed pseudo-random number in [0, 1) for (shard, purpose, index): SplitMix64's finaliser. */
  static double unit(int shard, int purpose, int index) {
    long z = (shard * 1_000_003L + purpose) * 0x9E3779B97F4A7C15L + index;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (z >>> 11) * 0x1.0p-53;
  }
}
