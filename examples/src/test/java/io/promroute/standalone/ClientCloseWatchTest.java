package io.promroute.standalone;

import io.promroute.servlet.it.ClientCloseCases;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * {@link ClientCloseCases} for the standalone router (Jetty's core handler API, {@link
 * ClientCloseWatch}).
 */
class ClientCloseWatchTest extends ClientCloseCases {

  private StandaloneTestRouter router;

  @Override
  protected URI startRouter(Map<String, String> targets, Duration timeout) throws Exception {
    router = new StandaloneTestRouter(targets, timeout, hostPort -> hostPort, "");
    return router.baseUri();
  }

  @Override
  protected void stopRouter() throws Exception {
    if (router != null) {
      router.close();
    }
  }

  @Override
  protected String name() {
    return "standalone (Jetty 12 core)";
  }
}
