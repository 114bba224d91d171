package io.promroute.examples;

import io.promroute.router.Engine;
import io.promroute.router.UpstreamClient;
import io.promroute.servlet.PromRouteFilter;
import io.promroute.servlet.RouterConfig;
import io.promroute.shard.MissingShardMatcherPolicy;
import io.promroute.shard.ShardRewriter;

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
    PromRouteFilter.Builder engine = PromRouteFilter.builder()
        .rewriter(rewriter.build())
        .upstreamClient(client)
        .upstreamTimeout(config.upstreamTimeout())
        .partialResponse(config.partialResponse())
        .forwardedHeaders(config.forwardedHeaders())
        .maxRequestBodyBytes(config.maxRequestBodyBytes());
    if (!config.pathPrefix().isEmpty()) {
      engine.pathPrefix(config.pathPrefix());
    }
    config.shards().forEach(engine::shard);
    return engine.buildEngine();
  }
}
