package io.promroute.standalone;

import io.promroute.servlet.RouterConfig;
import io.promroute.servlet.it.FaultMatrix;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@link FaultMatrix} for the standalone router on Jetty's upstream client, with the sick shard an
 * HA pair whose first replica is the sick one, configured as prome-route.yml lists replicas.
 */
class StandaloneReplicaFaultMatrixTest extends FaultMatrix {

  private RouterServer router;
  private JettyUpstreamClient client;

  @Override
  protected boolean sickReplicaFirst() {
    return true;
  }

  @Override
  protected URI startRouter(Map<String, String> targets, Duration timeout) throws Exception {
    Path directory = Files.createTempDirectory("promroute-replica-faults-");
    StringBuilder yaml = new StringBuilder("prome_servers:\n");
    // A shard with replicas is a YAML list of addresses, in the order they are asked.
    targets.forEach((key, hostPorts) -> yaml.append("  ").append(key).append(": [")
        .append(String.join(", ", hostPorts.split(","))).append("]\n"));
    yaml.append("http:\n  listen_addr: 127.0.0.1:0\n")
        .append("upstream:\n  timeout: ").append(timeout.toMillis()).append("ms\n")
        // A back-off of a millisecond: the sick replica is asked first by every request it can be.
        .append("  replicas: {first_byte_timeout: ").append(FIRST_BYTE_TIMEOUT.toMillis()).append("ms, backoff: 1ms}\n")
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
