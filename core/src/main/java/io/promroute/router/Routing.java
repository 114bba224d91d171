package io.promroute.router;

import static java.util.Objects.requireNonNull;

import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.VectorSelector;
import io.promroute.shard.ShardRewriter;
import io.promroute.shard.ShardedQuery;
import java.util.function.BooleanSupplier;

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

  /**
   * Routes with {@code prometheus2} (which accepts Prometheus 2's functions) while {@code
   * acceptPrometheus2} says so, else with {@code rewriter}: the dialect follows the shards.
   */
  static Routing following(ShardRewriter rewriter, ShardRewriter prometheus2, BooleanSupplier acceptPrometheus2) {
    requireNonNull(acceptPrometheus2, "acceptPrometheus2 is null");
    Routing strict = of(rewriter);
    Routing lenient = of(prometheus2);
    return new Routing() {
      @Override
      public ShardedQuery rewrite(String query) {
        return (acceptPrometheus2.getAsBoolean() ? lenient : strict).rewrite(query);
      }

      @Override
      public ShardedQuery rewriteSelector(String matchSelector) {
        return strict.rewriteSelector(matchSelector);
      }

      @Override
      public VectorSelector parseSelector(String matchSelector) {
        return strict.parseSelector(matchSelector);
      }

      @Override
      public Expr parse(String query) {
        return strict.parse(query);
      }
    };
  }

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
