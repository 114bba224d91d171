package io.promroute.shard;

import io.promroute.promql.ast.Expr;

/**
 * Routes PromQL to shards: finds the shard(s) a query selects through the shard label, removes
 * the shard matchers from every selector, and says how to turn the shards' answers into the
 * global answer. Immutable and thread-safe; build once with {@link #builder()}.
 */
public final class ShardRewriter {

  // TODO(shard): implement.

  private ShardRewriter(Builder builder) {}

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link ShardRewriter}. Required: {@link #shardLabel(String)} and at least one shard.
   * Validates eagerly, with messages naming the conflicting settings.
   */
  public static final class Builder {
    private Builder() {}

    /** The label that tells shards apart, e.g. {@code cluster}. */
    public Builder shardLabel(String shardLabel) {
      throw new UnsupportedOperationException("TODO(shard)");
    }

    /** The known shard keys, in the order answers are concatenated. */
    public Builder shards(java.util.List<String> shardKeys) {
      throw new UnsupportedOperationException("TODO(shard)");
    }

    /** Default {@link MissingShardMatcherPolicy#ALL_SHARDS}. */
    public Builder missingShardMatcher(MissingShardMatcherPolicy policy) {
      throw new UnsupportedOperationException("TODO(shard)");
    }

    /** Sets {@link MissingShardMatcherPolicy#DEFAULT_SHARD} with this shard. */
    public Builder defaultShard(String shardKey) {
      throw new UnsupportedOperationException("TODO(shard)");
    }

    /** Default {@link UnlabeledSelectorPolicy#INHERIT}. */
    public Builder unlabeledSelectors(UnlabeledSelectorPolicy policy) {
      throw new UnsupportedOperationException("TODO(shard)");
    }

    /** Default {@link UnknownShardPolicy#EMPTY_RESULT}. */
    public Builder unknownShard(UnknownShardPolicy policy) {
      throw new UnsupportedOperationException("TODO(shard)");
    }

    /** Default {@link ShardLabelMode#STRIP}. */
    public Builder mode(ShardLabelMode mode) {
      throw new UnsupportedOperationException("TODO(shard)");
    }

    /** Default {@link io.promroute.promql.ParserOptions#defaults()}. */
    public Builder parserOptions(io.promroute.promql.ParserOptions options) {
      throw new UnsupportedOperationException("TODO(shard)");
    }

    public ShardRewriter build() {
      return new ShardRewriter(this);
    }
  }

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
