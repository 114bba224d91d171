package io.promroute.standalone;

import io.promroute.servlet.RouterConfig;
import io.promroute.servlet.it.ClientCloseCases;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** {@link ClientCloseCases} for the standalone router (Jetty's core handler API, {@link ClientCloseWatch}). */
class ClientCloseWatchTest extends ClientCloseCases {

  private RouterServer router;
  private JettyUpstreamClient client;
  private Path directory;

  @Override
  protected URI startRouter(Map<String, String> targets, Duration timeout) throws Exception {
    directory = Files.createTempDirectory("promroute-client-close-");
    StringBuilder yaml = new StringBuilder("prome_servers:\n");
    targets.forEach((key, hostPort) -> yaml.append("  ").append(key).append(": ").append(hostPort).append('\n'));
    yaml.append("http:\n  listen_addr: 127.0.0.1:0\nupstream:\n  timeout: ").append(timeout.toMillis()).append("ms\n")
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
    if (directory != null) {
      Files.deleteIfExists(directory.resolve("router.yml"));
      Files.deleteIfExists(directory);
    }
  }

  @Override
  protected String name() {
    return "standalone (Jetty 12 core)";
  }
}
