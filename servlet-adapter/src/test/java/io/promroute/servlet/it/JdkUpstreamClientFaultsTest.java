package io.promroute.servlet.it;

import io.promroute.router.UpstreamClient;

/** {@link UpstreamClientFaults} for the JDK's client, the filter's default. */
class JdkUpstreamClientFaultsTest extends UpstreamClientFaults {

  @Override
  protected UpstreamClient client() {
    return UpstreamClient.jdk();
  }

  /**
   * A known gap: the client runs on an executor of its own (so that undeploying the filter stops
   * its threads), and then Java 17's HttpClient does not pass a cancelled future on to the
   * exchange, so the connection of a body given up mid-stream stays open until the shard sends
   * more or closes it. The router's reads still fail at once and its answer is not delayed.
   */
  @Override
  protected boolean closesTheConnectionOfAGivenUpBody() {
    return false;
  }
}
