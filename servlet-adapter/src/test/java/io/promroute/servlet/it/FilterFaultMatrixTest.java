package io.promroute.servlet.it;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * {@link FaultMatrix} for the servlet filter in Jetty 12, on the JDK's upstream client (its
 * default).
 */
class FilterFaultMatrixTest extends FaultMatrix {

  private JettyRouter router;

  @Override
  protected URI startRouter(Map<String, String> targets, Duration timeout) throws Exception {
    router =
        JettyRouter.start(TestRouters.filter(targets, builder -> builder.upstreamTimeout(timeout)));
    return router.baseUri();
  }

  @Override
  protected void stopRouter() {
    if (router != null) {
      router.close();
    }
  }
}
