package io.promroute.servlet.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Three real Prometheus servers, one per shard ({@code a}, {@code b}, {@code c}, whose series do
 * not have the shard label), and one global Prometheus holding every shard's series with {@code
 * cluster="<shard>"}: the oracle of what the router must answer. Data: {@link FixtureData}, loaded
 * with {@code promtool tsdb create-blocks-from openmetrics}.
 *
 * <p>Tests get one shared instance per JVM through {@link PrometheusExtension}; {@link #start()}
 * starts a private one (close it).
 */
public final class PrometheusFixture implements AutoCloseable {

  /** The shard label of the global data set. */
  public static final String SHARD_LABEL = "cluster";

  /** The shard keys, in order: shard number {@code i + 1} is {@code SHARDS.get(i)}. */
  public static final List<String> SHARDS = List.of("a", "b", "c");

  /** Says how to get the binaries, for skip and failure messages. */
  public static final String INSTALL_HINT =
      "the integration tests need Prometheus's `prometheus` and `promtool` on the PATH:"
          + " install them with `sudo apt-get install prometheus` (Debian/Ubuntu; .ci/run does it in CI)";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Path directory;
  private final Map<String, PrometheusServer> shards;
  private final PrometheusServer global;
  private final Duration startupTime;
  private final String timings;
  private final Thread shutdownHook = new Thread(this::stopServers, "PrometheusFixture-shutdown");

  private PrometheusFixture(
      Path directory,
      Map<String, PrometheusServer> shards,
      PrometheusServer global,
      Duration startupTime,
      String timings) {
    this.directory = directory;
    this.shards = shards;
    this.global = global;
    this.startupTime = startupTime;
    this.timings = timings;
    // Stops the servers even if the JVM exits without closing the fixture.
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * {@link #binaries()}, or the test is skipped (aborted) without them; with {@code CI=true} it
   * fails instead.
   */
  public static Path[] requireBinaries() {
    return binaries()
        .orElseGet(
            () -> {
              if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true and " + INSTALL_HINT);
              }
              org.junit.jupiter.api.Assumptions.abort("skipped: " + INSTALL_HINT);
              throw new AssertionError("unreachable");
            });
  }

  /** The {@code prometheus} and {@code promtool} executables, or empty if one is missing. */
  public static Optional<Path[]> binaries() {
    Optional<Path> prometheus = onPath("prometheus");
    Optional<Path> promtool = onPath("promtool");
    if (prometheus.isEmpty() || promtool.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Path[] {prometheus.get(), promtool.get()});
  }

  private static Optional<Path> onPath(String name) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return Stream.of(path.split(File.pathSeparator))
        .filter(directory -> !directory.isEmpty())
        .map(directory -> Path.of(directory, name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * Generates the data, builds the blocks and starts the four servers; returns when each is ready
   * and answers queries over its data.
   *
   * @throws IllegalStateException if the binaries are missing or a server does not start
   */
  public static PrometheusFixture start() throws IOException {
    Path[] binaries = binaries().orElseThrow(() -> new IllegalStateException(INSTALL_HINT));
    long begin = System.nanoTime();
    Path directory = Files.createTempDirectory("promroute-it-");
    List<PrometheusServer> started = new ArrayList<>();
    try {
      Map<String, Path> inputs = FixtureData.writeFiles(directory, SHARD_LABEL, SHARDS);
      long generated = System.nanoTime();

      // promtool, all four at once.
      Map<String, Process> promtools = new LinkedHashMap<>();
      for (Map.Entry<String, Path> entry : inputs.entrySet()) {
        Path data = directory.resolve(entry.getKey() + "-data");
        promtools.put(
            entry.getKey(),
            new ProcessBuilder(
                    binaries[1].toString(),
                    "tsdb",
                    "create-blocks-from",
                    "openmetrics",
                    "--quiet",
                    entry.getValue().toString(),
                    data.toString())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve(entry.getKey() + "-promtool.log").toFile())
                .start());
      }
      for (Map.Entry<String, Process> entry : promtools.entrySet()) {
        Process process = entry.getValue();
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
          process.destroyForcibly();
          throw new IllegalStateException(
              "promtool tsdb create-blocks-from openmetrics failed for "
                  + entry.getKey()
                  + ": "
                  + Files.readString(
                      directory.resolve(entry.getKey() + "-promtool.log"), StandardCharsets.UTF_8));
        }
      }
      long blocks = System.nanoTime();

      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(2))
              .build();
      String probe = "count(up)";
      long probeTime = FixtureData.MID.getEpochSecond();
      List<String> names = new ArrayList<>(inputs.keySet());
      Map<String, PrometheusServer> servers = new LinkedHashMap<>();
      for (String name : names) {
        servers.put(
            name,
            PrometheusServer.start(
                name, binaries[0], directory.resolve(name + "-data"), directory));
        started.add(servers.get(name));
      }
      for (String name : names) {
        PrometheusServer server = servers.get(name);
        for (int attempt = 1; ; attempt++) {
          try {
            server.awaitReady(client, READY_TIMEOUT, probe, probeTime);
            break;
          } catch (IllegalStateException e) {
            // The free port may have been taken in between: try another one, twice.
            if (attempt == 3 || !e.getMessage().contains("exited")) {
              throw e;
            }
            server.close();
            server =
                PrometheusServer.start(
                    name, binaries[0], directory.resolve(name + "-data"), directory);
            started.add(server);
            servers.put(name, server);
          }
        }
      }
      long ready = System.nanoTime();
      Map<String, PrometheusServer> shards = new LinkedHashMap<>();
      for (String key : SHARDS) {
        shards.put(key, servers.get("shard-" + key));
      }
      String timings =
          String.format(
              "data %d ms, promtool %d ms, prometheus ready with data %d ms",
              TimeUnit.NANOSECONDS.toMillis(generated - begin),
              TimeUnit.NANOSECONDS.toMillis(blocks - generated),
              TimeUnit.NANOSECONDS.toMillis(ready - blocks));
      return new PrometheusFixture(
          directory,
          Map.copyOf(shards),
          servers.get("global"),
          Duration.ofNanos(ready - begin),
          timings);
    } catch (IOException | RuntimeException | Error e) {
      started.forEach(PrometheusServer::close);
      deleteRecursively(directory);
      throw e;
    } catch (InterruptedException e) {
      started.forEach(PrometheusServer::close);
      deleteRecursively(directory);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting Prometheus", e);
    }
  }

  /** The shard Prometheus for {@code key}. */
  public PrometheusServer shard(String key) {
    PrometheusServer server = shards.get(key);
    if (server == null) {
      throw new IllegalArgumentException("no shard " + key + "; shards: " + SHARDS);
    }
    return server;
  }

  /**
   * Starts one more Prometheus on a copy of shard {@code key}'s blocks: a replica holding the same
   * data, as the second server of an HA pair does. Returns once it answers queries over its data;
   * the caller closes it (its data directory goes with the fixture's).
   */
  public PrometheusServer startReplica(String key) throws IOException {
    shard(key); // a known shard
    Path[] binaries = binaries().orElseThrow(() -> new IllegalStateException(INSTALL_HINT));
    Path source = directory.resolve("shard-" + key + "-data");
    Path copy = Files.createTempDirectory(directory, "shard-" + key + "-replica-");
    // Only the blocks (directories with a meta.json): the lock file, WAL and head are the running
    // server's.
    try (Stream<Path> blocks = Files.list(source)) {
      for (Path block :
          blocks.filter(path -> Files.isRegularFile(path.resolve("meta.json"))).toList()) {
        try (Stream<Path> files = Files.walk(block)) {
          for (Path file : files.toList()) {
            Path target = copy.resolve(source.relativize(file).toString());
            if (Files.isDirectory(file)) {
              Files.createDirectories(target);
            } else {
              Files.copy(file, target);
            }
          }
        }
      }
    }
    String name = copy.getFileName().toString();
    PrometheusServer replica = PrometheusServer.start(name, binaries[0], copy, directory);
    try {
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(2))
              .build();
      replica.awaitReady(client, READY_TIMEOUT, "count(up)", FixtureData.MID.getEpochSecond());
      return replica;
    } catch (RuntimeException e) {
      replica.close();
      throw e;
    }
  }

  /** The global Prometheus: every shard's series with the shard label. */
  public PrometheusServer global() {
    return global;
  }

  /** Shard key to {@code 127.0.0.1:<port>}, in {@link #SHARDS} order. */
  public Map<String, String> shardHostPorts() {
    Map<String, String> result = new LinkedHashMap<>();
    for (String key : SHARDS) {
      result.put(key, shards.get(key).hostPort());
    }
    return result;
  }

  /** From the start of {@link #start()} until every server answered queries over its data. */
  public Duration startupTime() {
    return startupTime;
  }

  /** The startup time, broken down. */
  public String timings() {
    return "started 4 Prometheus servers in " + startupTime.toMillis() + " ms (" + timings + ")";
  }

  /** Stops the servers and deletes their data. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down: the hook runs.
    }
    stopServers();
  }

  private void stopServers() {
    shards.values().forEach(PrometheusServer::close);
    global.close();
    deleteRecursively(directory);
  }

  private static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
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
      System.err.println("PrometheusFixture: could not delete " + directory + ": " + e);
    }
  }

  /** The base URI of each shard and of the global server, for messages. */
  @Override
  public String toString() {
    return "PrometheusFixture{shards=" + shardHostPorts() + ", global=" + global.hostPort() + "}";
  }

  /** The base URI of the shard {@code key}. */
  public URI shardUri(String key) {
    return shard(key).baseUri();
  }
}
