package io.promroute.standalone;

import io.promroute.router.Engine;
import io.promroute.router.UpstreamClient;
import io.promroute.servlet.PromRouteFilter;
import io.promroute.servlet.RouterConfig;

/**
 * Builds the router's {@link Engine} from a configuration, with the upstream client the router
 * passes: its own, which measures every shard request for {@code /metrics} and the access log.
 */
final class RouterEngines {

  private RouterEngines() {}

  /** How the router gets an engine for a configuration; tests give a fake. */
  @FunctionalInterface
  interface Factory {
    /**
     * @throws RuntimeException when the configuration cannot be served; the message says why
     */
    Engine create(RouterConfig config, UpstreamClient client);
  }

  static Engine create(RouterConfig config, UpstreamClient client) {
    return PromRouteFilter.builder(config).upstreamClient(client).buildEngine();
  }
}
