package io.promroute.shard;

import io.promroute.promql.ast.Expr;

/**
 * Routes PromQL to shards: finds the shard(s) a query selects through the shard label, removes
 * the shard matchers from every selector, and says how to turn the shards' answers into the
 * global answer. Immutable and thread-safe; build once with {@link #builder()}.
 */
public final class ShardRewriter {

  // TODO(shard): implement; builder(shardLabel, shards, policies), rewrite, rewriteSelector.

  private ShardRewriter() {}

  /**
   * Routes a query.
   *
   * @throws io.promroute.promql.PromQLParseException if the query is not valid PromQL
   * @throws ShardRoutingException if the query cannot be routed
   */
  public ShardedQuery rewrite(String query) {
    throw new UnsupportedOperationException("TODO(shard)");
  }

  /**
   * Routes a parsed query.
   *
   * @throws ShardRoutingException if the query cannot be routed
   */
  public ShardedQuery rewrite(Expr query) {
    throw new UnsupportedOperationException("TODO(shard)");
  }

  /**
   * Routes one {@code match[]} series selector ({@code /api/v1/series}, {@code /api/v1/labels},
   * {@code /api/v1/label/<name>/values}).
   *
   * @throws io.promroute.promql.PromQLParseException if it is not a valid selector
   * @throws ShardRoutingException if it cannot be routed
   */
  public ShardedQuery rewriteSelector(String matchSelector) {
    throw new UnsupportedOperationException("TODO(shard)");
  }
}
