package io.promroute.servlet.it;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** {@link ClientCloseCases} for the servlet filter in Tomcat 11. */
class FilterTomcatClientCloseTest extends ClientCloseCases {

  private TomcatRouter router;

  @Override
  protected URI startRouter(Map<String, String> targets, Duration timeout) throws Exception {
    router =
        TomcatRouter.start(
            TestRouters.filter(targets, builder -> builder.upstreamTimeout(timeout)));
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
    return "filter in Tomcat";
  }
}
