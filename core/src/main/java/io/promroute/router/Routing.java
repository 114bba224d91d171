package io.promroute.router;

import static java.util.Objects.requireNonNull;

import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.VectorSelector;
import io.promroute.shard.ShardRewriter;
import io.promroute.shard.ShardedQuery;
import java.util.function.BooleanSupplier;

/**
 * The PromQL decisions the filter needs: the seam between the filter and {@link ShardRewriter}, so
 * the filter's tests can run with a hand-written routing.
 */
public interface Routing {

  /**
   * Routes a query: see {@link ShardRewriter#rewrite(String)}.
   *
   * @param query the {@code query} parameter
   * @return the routed query
   * @throws io.promroute.promql.PromQLParseException if the query is not valid PromQL
   * @throws io.promroute.shard.ShardRoutingException if the query cannot be routed
   */
  ShardedQuery rewrite(String query);

  /**
   * Routes a {@code match[]} series selector: see {@link ShardRewriter#rewriteSelector(String)}.
   *
   * @param matchSelector one {@code match[]} value
   * @return the routed selector
   * @throws io.promroute.promql.PromQLParseException if it is not a valid selector
   * @throws io.promroute.shard.ShardRoutingException if it cannot be routed
   */
  ShardedQuery rewriteSelector(String matchSelector);

  /**
   * A shard's error from evaluating its part of a query, worded as the global view words it: see
   * {@link ShardRewriter#evaluationError}.
   *
   * @param query the {@code query} parameter, which {@link #rewrite} routed
   * @param shards the shards it was routed to
   * @param shard the shard that answered {@code message}
   * @param message the shard's error message
   * @return the message as one Prometheus holding every shard's series words it; by default {@code
   *     message}
   */
  default String evaluationError(
      String query, java.util.List<String> shards, String shard, String message) {
    return message;
  }

  /**
   * Parses a {@code match[]} series selector (syntax only, as Prometheus).
   *
   * @param matchSelector one {@code match[]} value
   * @return the selector, not routed
   * @throws io.promroute.promql.PromQLParseException if it is not a valid selector
   */
  VectorSelector parseSelector(String matchSelector);

  /**
   * Parses a query for {@code format_query} and {@code parse_query} with the rewriter's parser
   * options.
   *
   * @param query the {@code query} parameter
   * @return its syntax tree, not routed
   * @throws io.promroute.promql.PromQLParseException if it is not valid PromQL
   */
  Expr parse(String query);

  /**
   * Whether {@code /api/v1/query_range} answers a query that does not parse with the parser's error
   * alone, without {@code invalid parameter "query": } before it, as Prometheus did before 2.44
   * ({@code /api/v1/query} always had it).
   *
   * @return {@code false} unless the routing follows shards that all run such a version
   */
  default boolean bareRangeQueryParseErrors() {
    return false;
  }

  /**
   * Routes with {@code prometheus2} (which accepts Prometheus 2's functions) while {@code
   * acceptPrometheus2} says so, else with {@code rewriter}: the dialect follows the shards.
   * Selectors and {@code format_query} always use {@code rewriter}'s options.
   *
   * @param rewriter the rewriter for Prometheus 3 shards
   * @param prometheus2 the same routing settings with Prometheus 2's functions accepted
   * @param acceptPrometheus2 asked on every query, e.g. {@link
   *     ShardVersions#acceptPrometheus2Functions()}
   * @return the routing, caching each rewriter's results as {@link #of(ShardRewriter)} does
   * @throws NullPointerException if an argument is null
   */
  static Routing following(
      ShardRewriter rewriter, ShardRewriter prometheus2, BooleanSupplier acceptPrometheus2) {
    return following(rewriter, prometheus2, acceptPrometheus2, () -> false);
  }

  /**
   * As {@link #following(ShardRewriter, ShardRewriter, BooleanSupplier)}, with {@link
   * #bareRangeQueryParseErrors()} answered by {@code bareRangeQueryParseErrors}.
   *
   * @param rewriter the rewriter for Prometheus 3 shards
   * @param prometheus2 the same routing settings with Prometheus 2's functions accepted
   * @param acceptPrometheus2 asked on every query
   * @param bareRangeQueryParseErrors asked for every query_range that does not parse, e.g. {@link
   *     ShardVersions#bareRangeQueryParseErrors()}
   * @return the routing
   * @throws NullPointerException if an argument is null
   */
  static Routing following(
      ShardRewriter rewriter,
      ShardRewriter prometheus2,
      BooleanSupplier acceptPrometheus2,
      BooleanSupplier bareRangeQueryParseErrors) {
    requireNonNull(acceptPrometheus2, "acceptPrometheus2 is null");
    requireNonNull(bareRangeQueryParseErrors, "bareRangeQueryParseErrors is null");
    CachedRouting strict = cached(rewriter);
    CachedRouting lenient = cached(prometheus2);
    return new CachedRouting() {
      @Override
      public RoutedQuery routed(String query) {
        return (acceptPrometheus2.getAsBoolean() ? lenient : strict).routed(query);
      }

      @Override
      public ShardedQuery rewriteSelector(String matchSelector) {
        return strict.rewriteSelector(matchSelector);
      }

      @Override
      public String evaluationError(
          String query, java.util.List<String> shards, String shard, String message) {
        return (acceptPrometheus2.getAsBoolean() ? lenient : strict)
            .evaluationError(query, shards, shard, message);
      }

      @Override
      public VectorSelector parseSelector(String matchSelector) {
        return strict.parseSelector(matchSelector);
      }

      @Override
      public boolean bareRangeQueryParseErrors() {
        return bareRangeQueryParseErrors.getAsBoolean();
      }

      @Override
      public Expr parse(String query) {
        return strict.parse(query);
      }
    };
  }

  /**
   * The routing of one rewriter. Successful rewrites are remembered by query text (dashboards send
   * the same queries at every refresh): queries up to 16 Ki characters long, a quarter of a million
   * characters of them at most; failures are not remembered.
   *
   * @param rewriter the rewriter, whose parser options also parse selectors and {@code
   *     format_query}
   * @return the routing, thread-safe
   * @throws NullPointerException if {@code rewriter} is null
   */
  static Routing of(ShardRewriter rewriter) {
    return cached(rewriter);
  }

  private static CachedRouting cached(ShardRewriter rewriter) {
    requireNonNull(rewriter, "rewriter is null");
    // A quarter of a million characters of query text: a thousand or more dashboard queries, and at
    // worst some MB of syntax trees (and of guarded shard queries, a small multiple of the text).
    RewriteCache<RoutedQuery> queries = new RewriteCache<>(1 << 18, 16 * 1024);
    RewriteCache<ShardedQuery> selectors = new RewriteCache<>(1 << 16, 16 * 1024);
    return new CachedRouting() {
      @Override
      public RoutedQuery routed(String query) {
        return queries.get(query, text -> new RoutedQuery(rewriter.rewrite(text)));
      }

      @Override
      public ShardedQuery rewriteSelector(String matchSelector) {
        return selectors.get(matchSelector, rewriter::rewriteSelector);
      }

      @Override
      public String evaluationError(
          String query, java.util.List<String> shards, String shard, String message) {
        return rewriter.evaluationError(query, shards, shard, message);
      }

      @Override
      public VectorSelector parseSelector(String matchSelector) {
        return io.promroute.promql.PromQL.parseSelector(matchSelector, rewriter.parserOptions());
      }

      @Override
      public Expr parse(String query) {
        return io.promroute.promql.PromQL.parse(query, rewriter.parserOptions());
      }
    };
  }
}
