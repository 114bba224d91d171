package io.promroute.servlet.it;

import io.promroute.router.UpstreamClient;

/** {@link UpstreamClientFaults} for the JDK's client, the filter's default. */
class JdkUpstreamClientFaultsTest extends UpstreamClientFaults {

  @Override
  protected UpstreamClient client() {
    return UpstreamClient.jdk();
  }
}
