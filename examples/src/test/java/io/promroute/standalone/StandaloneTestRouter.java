package io.promroute.standalone;

import io.promroute.servlet.RouterConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A standalone router on Jetty's upstream client (its default), started from a configuration file
 * written for the test: the shards given, an ephemeral port on loopback, the upstream timeout
 * given.
 */
final class StandaloneTestRouter implements AutoCloseable {

  private final Path directory;
  private final JettyUpstreamClient client;
  private final RouterServer router;

  /**
   * @param targets shard key to the {@code host:port}s of its replicas, separated by commas
   * @param addresses how the file writes one shard's {@code host:port}s
   * @param moreUpstreamYaml more lines of the {@code upstream} section, indented
   */
  StandaloneTestRouter(
      Map<String, String> targets,
      Duration timeout,
      UnaryOperator<String> addresses,
      String moreUpstreamYaml)
      throws Exception {
    directory = Files.createTempDirectory("promroute-standalone-");
    StringBuilder yaml = new StringBuilder("prome_servers:\n");
    targets.forEach(
        (key, hostPorts) ->
            yaml.append("  ")
                .append(key)
                .append(": ")
                .append(addresses.apply(hostPorts))
                .append('\n'));
    yaml.append("http:\n  listen_addr: 127.0.0.1:0\nupstream:\n  timeout: ")
        .append(timeout.toMillis())
        .append("ms\n")
        .append(moreUpstreamYaml)
        // The dialect pinned: the router asks the (faulty) shards nothing of its own at start-up.
        .append("promql:\n  dialect: prometheus2\n");
    Path file = directory.resolve("router.yml");
    Files.writeString(file, yaml);
    client = new JettyUpstreamClient(Duration.ofSeconds(5));
    router =
        new RouterServer(
            file,
            RouterConfig.load(file),
            RouterEngines::create,
            client,
            new RouterMetrics(true),
            line -> {},
            RouterOptions.forTests());
    router.start();
  }

  URI baseUri() {
    return router.baseUri();
  }

  @Override
  public void close() throws java.io.IOException {
    router.close();
    client.close();
    Files.deleteIfExists(directory.resolve("router.yml"));
    Files.deleteIfExists(directory);
  }
}
