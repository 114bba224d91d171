package io.promroute.standalone;

import io.promroute.router.UpstreamClient;
import io.promroute.servlet.it.UpstreamClientFaults;
import java.time.Duration;

/** {@link UpstreamClientFaults} for Jetty's client, the standalone router's default. */
class JettyUpstreamClientFaultsTest extends UpstreamClientFaults {

  @Override
  protected UpstreamClient client() {
    return new JettyUpstreamClient(Duration.ofSeconds(10));
  }
}
