package io.promroute.examples;

import io.promroute.servlet.PromRouteFilter;
import io.promroute.servlet.RouterConfig;
import io.promroute.router.UpstreamClient;
import io.promroute.shard.MissingShardMatcherPolicy;
import io.promroute.shard.ShardRewriter;
import jakarta.servlet.Filter;

/**
 * Builds the router's {@link PromRouteFilter} from a configuration. The standalone router builds
 * it here rather than with {@link PromRouteFilter#fromConfig} because it passes its own upstream
 * client, which measures every shard request for {@code /metrics} and the access log.
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
    ShardRewriter.Builder rewriter = ShardRewriter.builder()
        .shardLabel(config.shardLabel())
        .shards(config.shardKeys())
        .unlabeledSelectors(config.unlabeledSelectors())
        .unknownShard(config.unknownShard())
        .mode(config.mode())
        .parserOptions(config.parserOptions());
    if (config.missingShardMatcher() == MissingShardMatcherPolicy.DEFAULT_SHARD) {
      rewriter.defaultShard(config.defaultShard());
    } else {
      rewriter.missingShardMatcher(config.missingShardMatcher());
    }
    PromRouteFilter.Builder filter = PromRouteFilter.builder()
        .rewriter(rewriter.build())
        .upstreamClient(client)
        .upstreamTimeout(config.upstreamTimeout())
        .partialResponse(config.partialResponse())
        .forwardedHeaders(config.forwardedHeaders())
        .maxRequestBodyBytes(config.maxRequestBodyBytes());
    if (!config.pathPrefix().isEmpty()) {
      filter.pathPrefix(config.pathPrefix());
    }
    config.shards().forEach(filter::shard);
    return filter.build();
  }
}
