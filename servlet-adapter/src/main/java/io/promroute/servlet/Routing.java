package io.promroute.servlet;

import static java.util.Objects.requireNonNull;

import io.promroute.promql.ast.Expr;
import io.promroute.shard.ShardRewriter;
import io.promroute.shard.ShardedQuery;

/**
 * The PromQL decisions the filter needs: the seam between the filter and {@link ShardRewriter},
 * so the filter's tests can run with a hand-written routing.
 */
interface Routing {

  /** See {@link ShardRewriter#rewrite(String)}; same exceptions. */
  ShardedQuery rewrite(String query);

  /** See {@link ShardRewriter#rewriteSelector(String)}; same exceptions. */
  ShardedQuery rewriteSelector(String matchSelector);

  /** Parses a query for {@code format_query}; {@link io.promroute.promql.PromQLParseException} if invalid. */
  Expr parse(String query);

  static Routing of(ShardRewriter rewriter) {
    requireNonNull(rewriter, "rewriter is null");
    return new Routing() {
      @Override
      public ShardedQuery rewrite(String query) {
        return rewriter.rewrite(query);
      }

      @Override
      public ShardedQuery rewriteSelector(String matchSelector) {
        return rewriter.rewriteSelector(matchSelector);
      }

      @Override
      public Expr parse(String query) {
        return io.promroute.promql.PromQL.parse(query);
      }
    };
  }
}
