package io.promroute.standalone;

import io.promroute.servlet.it.FaultMatrix;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * {@link FaultMatrix} for the standalone router, on Jetty's upstream client (its default), from a
 * config file.
 */
class StandaloneFaultMatrixTest extends FaultMatrix {

  private StandaloneTestRouter router;

  @Override
  protected URI startRouter(Map<String, String> targets, Duration timeout) throws Exception {
    router = new StandaloneTestRouter(targets, timeout, this::addresses, moreUpstreamYaml());
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
  }
}
