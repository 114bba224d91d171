package io.promroute.servlet.it;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** {@link ClientCloseCases} for the servlet filter in Jetty 12 (ee10). */
class FilterJettyClientCloseTest extends ClientCloseCases {

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

  @Override
  protected String name() {
    return "filter in Jetty";
  }
}
