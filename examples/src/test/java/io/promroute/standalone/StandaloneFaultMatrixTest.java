package io.promroute.standalone;

import io.promroute.servlet.RouterConfig;
import io.promroute.servlet.it.FaultMatrix;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** {@link FaultMatrix} for the standalone router, on Jetty's upstream client (its default), from a config file. */
class StandaloneFaultMatrixTest extends FaultMatrix {

  private RouterServer router;
  private JettyUpstreamClient client;
  private Path directory;

  @Override
  protected URI startRouter(Map<String, String> targets, Duration timeout) throws Exception {
    directory = Files.createTempDirectory("promroute-faults-");
    StringBuilder yaml = new StringBuilder("prome_servers:\n");
    targets.forEach((key, hostPorts) -> yaml.append("  ").append(key).append(": ").append(addresses(hostPorts)).append('\n'));
    yaml.append("http:\n  listen_addr: 127.0.0.1:0\nupstream:\n  timeout: ").append(timeout.toMillis()).append("ms\n")
        .append(moreUpstreamYaml())
        // The dialect pinned: the router asks the (faulty) shards nothing of its own at start-up.
        .append("promql:\n  dialect: prometheus2\n");
    Path file = directory.resolve("router.yml");
    Files.writeString(file, yaml);
    client = new JettyUpstreamClient(Duration.ofSeconds(5));
    router = new RouterServer(file, RouterConfig.load(file), RouterEngines::create, client,
        new RouterMetrics(true), line -> {}, RouterOptions.forTests());
    router.start();
    return router.baseUri();
  }

  /** A shard's address in the file: its one {@code host:port}. */
  String addresses(String hostPorts) {
    return hostPorts;
  }

  /** More lines of the {@code upstream} section, indented. */
  String moreUpstreamYaml() {
    return "";
  }

  @Override
  protected void stopRouter() throws Exception {
    if (router != null) {
      router.close();
    }
    if (client != null) {
      client.close();
    }
  }
}
