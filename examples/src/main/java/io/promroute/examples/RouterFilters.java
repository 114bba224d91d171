package io.promroute.examples;

import io.promroute.servlet.PromRouteFilter;
import io.promroute.servlet.RouterConfig;
import io.promroute.router.UpstreamClient;
import jakarta.servlet.Filter;

/**
 * Builds the router's {@link PromRouteFilter} from a configuration, with {@link
 * PromRouteFilter#builder(RouterConfig)} rather than {@link PromRouteFilter#fromConfig} because
 * it passes its own upstream client, which measures every shard request for {@code /metrics} and
 * the access log.
 */
final class RouterFilters {

  private RouterFilters() {}

  /** How the router gets a filter for a configuration; tests give a fake. */
  @FunctionalInterface
  interface Factory {
    /**
     * @throws RuntimeException when the configuration cannot be served; the message says why
     */
    Filter create(RouterConfig config, UpstreamClient client);
  }

  static Filter create(RouterConfig config, UpstreamClient client) {
    return PromRouteFilter.builder(config).upstreamClient(client).build();
  }
}
