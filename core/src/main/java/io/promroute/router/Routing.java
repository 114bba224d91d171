package io.promroute.router;

import static java.util.Objects.requireNonNull;

import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.VectorSelector;
import io.promroute.shard.ShardRewriter;
import io.promroute.shard.ShardedQuery;

/**
 * The PromQL decisions the filter needs: the seam between the filter and {@link ShardRewriter},
 * so the filter's tests can run with a hand-written routing.
 */
public interface Routing {

  /** See {@link ShardRewriter#rewrite(String)}; same exceptions. */
  ShardedQuery rewrite(String query);

  /** See {@link ShardRewriter#rewriteSelector(String)}; same exceptions. */
  ShardedQuery rewriteSelector(String matchSelector);

  /** Parses a {@code match[]} series selector (syntax only, as Prometheus); {@link io.promroute.promql.PromQLParseException} if invalid. */
  VectorSelector parseSelector(String matchSelector);

  /** Parses a query for {@code format_query}; {@link io.promroute.promql.PromQLParseException} if invalid. */
  Expr parse(String query);

  static Routing of(ShardRewriter rewriter) {
    requireNonNull(rewriter, "rewriter is null");
    // A quarter of a million characters of query text: a thousand or more dashboard queries, and at
    // worst some MB of syntax trees.
    RewriteCache<ShardedQuery> queries = new RewriteCache<>(1 << 18, 16 * 1024);
    RewriteCache<ShardedQuery> selectors = new RewriteCache<>(1 << 16, 16 * 1024);
    return new Routing() {
      @Override
      public ShardedQuery rewrite(String query) {
        return queries.get(query, rewriter::rewrite);
      }

      @Override
      public ShardedQuery rewriteSelector(String matchSelector) {
        return selectors.get(matchSelector, rewriter::rewriteSelector);
      }

      @Override
      public VectorSelector parseSelector(String matchSelector) {
        return io.promroute.promql.PromQL.parseSelector(matchSelector, rewriter.parserOptions());
      }

      @Override
      public Expr parse(String query) {
        return io.promroute.promql.PromQL.parse(query);
      }
    };
  }
}
