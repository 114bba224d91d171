package io.promroute.servlet.it;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One real Prometheus process on 127.0.0.1, serving the TSDB blocks in a data directory. */
public final class PrometheusServer implements AutoCloseable {

  private final String name;
  private final Process process;
  private final URI baseUri;
  private final Path log;
  private final Path dataDir;

  private PrometheusServer(String name, Process process, URI baseUri, Path log, Path dataDir) {
    this.name = name;
    this.process = process;
    this.baseUri = baseUri;
    this.log = log;
    this.dataDir = dataDir;
  }

  /**
   * Starts Prometheus with no scrape jobs on a free loopback port, on the blocks in {@code dataDir}
   * (kept whatever their age). Returns once the process is started; call {@link #awaitReady}.
   *
   * @param workDir where the configuration file and the log go
   */
  public static PrometheusServer start(String name, Path prometheus, Path dataDir, Path workDir)
      throws IOException {
    return start(name, prometheus, dataDir, workDir, List.of());
  }

  /**
   * {@link #start(String, Path, Path, Path)} with more command-line flags, e.g. {@code
   * --web.enable-remote-write-receiver}.
   */
  public static PrometheusServer start(
      String name, Path prometheus, Path dataDir, Path workDir, List<String> moreFlags)
      throws IOException {
    return start(
        name, prometheus, dataDir, workDir, moreFlags, "global:\n  evaluation_interval: 1m\n");
  }

  /**
   * {@link #start(String, Path, Path, Path, List)} with {@code configYaml} as its configuration
   * file, e.g. scrape jobs.
   */
  public static PrometheusServer start(
      String name,
      Path prometheus,
      Path dataDir,
      Path workDir,
      List<String> moreFlags,
      String configYaml)
      throws IOException {
    Path config = workDir.resolve(name + ".yml");
    Files.writeString(config, configYaml, StandardCharsets.UTF_8);
    Path log = workDir.resolve(name + ".log");
    // The free port can be taken by another process before Prometheus binds it (other builds run on
    // the same machine): a start that fails to bind is retried on another port.
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      List<String> command =
          new java.util.ArrayList<>(
              List.of(
                  prometheus.toString(),
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + dataDir,
                  "--storage.tsdb.retention.time=100y",
                  "--web.listen-address=127.0.0.1:" + port,
                  "--web.enable-lifecycle",
                  "--log.level=warn"));
      command.addAll(moreFlags);
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      PrometheusServer server =
          new PrometheusServer(name, process, URI.create("http://127.0.0.1:" + port), log, dataDir);
      if (attempt == 5 || !server.failedToBind(port)) {
        return server;
      }
    }
  }

  /** Whether the process exited because its port was taken, waiting until it listens or exits. */
  private boolean failedToBind(int port) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return logTail().contains("address already in use");
      }
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return false;
      } catch (IOException notListeningYet) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return false;
  }

  /**
   * Waits until {@code /-/ready} answers 200 and the instant query {@code probeQuery} at {@code
   * time} returns at least one series.
   */
  public void awaitReady(HttpClient client, Duration timeout, String probeQuery, long time) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean ready = false;
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + ": prometheus exited with " + process.exitValue() + ": " + logTail());
      }
      try {
        if (!ready) {
          ready = get(client, "/-/ready").statusCode() == 200;
          if (ready && !servesOwnData(client)) {
            // Another process took the port first and answers there: this one is not ours.
            close();
            throw new IllegalStateException(
                name + ": prometheus exited: its port is served by another process");
          }
        }
        if (ready) {
          HttpResponse<String> probe =
              get(
                  client,
                  "/api/v1/query?time="
                      + time
                      + "&query="
                      + java.net.URLEncoder.encode(probeQuery, StandardCharsets.UTF_8));
          if (probe.statusCode() == 200 && probe.body().contains("\"metric\"")) {
            return;
          }
        }
      } catch (IOException e) {
        // Not listening yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(name + ": interrupted while waiting for prometheus", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + ": prometheus not ready with data after " + timeout + ": " + logTail());
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(name + ": interrupted while waiting for prometheus", e);
      }
    }
  }

  /** Whether the server on this port is the one started here, on this data directory. */
  private boolean servesOwnData(HttpClient client) throws IOException, InterruptedException {
    HttpResponse<String> flags = get(client, "/api/v1/status/flags");
    String path = dataDir.toString().replace("\\", "\\\\").replace("\"", "\\\"");
    return process.isAlive()
        && flags.statusCode() == 200
        && flags.body().contains("\"storage.tsdb.path\":\"" + path + "\"");
  }

  private HttpResponse<String> get(HttpClient client, String pathAndQuery)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(baseUri.resolve(pathAndQuery))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public String name() {
    return name;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI baseUri() {
    return baseUri;
  }

  /** {@code 127.0.0.1:<port>}. */
  public String hostPort() {
    return baseUri.getHost() + ":" + baseUri.getPort();
  }

  /** The last lines of the process's output, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops the process and its descendants: SIGTERM, then SIGKILL after 10 seconds. */
  @Override
  public void close() {
    process.toHandle().descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** A port free on 127.0.0.1 now (another process may take it before it is used). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return requireNonNull(name) + "@" + baseUri;
  }
}
