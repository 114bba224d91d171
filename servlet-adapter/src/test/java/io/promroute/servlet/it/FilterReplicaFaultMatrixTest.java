package io.promroute.servlet.it;

import io.promroute.router.ReplicaPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * {@link FaultMatrix} for the servlet filter in Jetty 12 on the JDK's upstream client, with the
 * sick shard an HA pair whose first replica is the sick one.
 */
class FilterReplicaFaultMatrixTest extends FaultMatrix {

  private JettyRouter router;

  @Override
  protected boolean sickReplicaFirst() {
    return true;
  }

  @Override
  protected URI startRouter(Map<String, String> targets, Duration timeout) throws Exception {
    router =
        JettyRouter.start(
            TestRouters.filter(
                targets,
                builder ->
                    builder
                        .upstreamTimeout(timeout)
                        // A back-off of a millisecond: the sick replica is asked first by every
                        // request, so each
                        // one shows the fail-over (or, for a fault it cannot make good, the sick
                        // replica's error).
                        .replicaPolicy(
                            new ReplicaPolicy(
                                FIRST_BYTE_TIMEOUT, Duration.ofMillis(1), Duration.ZERO))));
    return router.baseUri();
  }

  @Override
  protected void stopRouter() {
    if (router != null) {
      router.close();
    }
  }
}
