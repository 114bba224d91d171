package io.promroute.plan;

import static java.util.Objects.requireNonNull;

import io.promroute.internal.DeepStack;
import io.promroute.promql.PromQLParseException;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.shard.ShardedQuery;

/**
 * Plans queries that span several shards, so that the router's answer equals the answer of one
 * Prometheus holding every shard's series (with the shard label): shard-local parts are sent whole
 * to every selected shard, decomposable aggregations as per-shard partials merged exactly, and the
 * rest (binary operators across shards, {@code scalar}, {@code sort}, {@code quantile}, {@code
 * histogram_quantile} over merged buckets, ...) is computed by the router from merged values.
 * Stateless and thread-safe.
 */
public final class QueryPlanner {

  private QueryPlanner() {}

  /**
   * Plans a routed query whose shards store their series without the shard label (the shard
   * rewriter's default strip mode): shard answers that keep the label in the global view get it
   * added.
   *
   * @param query a query routed to at least one shard (any execution but {@code NONE})
   * @return the plan
   * @throws io.promroute.shard.ShardRoutingException with reason {@code CROSS_SHARD_NOT_SUPPORTED}
   *     when a part of the query cannot be answered exactly yet; the message names it
   * @throws IllegalArgumentException if the query selects no shard
   */
  public static QueryPlan plan(ShardedQuery query) {
    return plan(query, true);
  }

  /**
   * Plans a routed query.
   *
   * @param query a query routed to at least one shard
   * @param shardsStripShardLabel {@code true} when the shards' series lack the shard label (strip
   *     mode), {@code false} when each shard stores it itself (keep mode)
   * @return the plan
   * @throws io.promroute.shard.ShardRoutingException with reason {@code CROSS_SHARD_NOT_SUPPORTED}
   *     when a part of the query cannot be answered exactly yet
   * @throws IllegalArgumentException if the query selects no shard
   */
  public static QueryPlan plan(ShardedQuery query, boolean shardsStripShardLabel) {
    return plan(query, shardsStripShardLabel, false);
  }

  /**
   * Plans a routed query, optionally with bit-exact float aggregation.
   *
   * @param query a query routed to at least one shard
   * @param shardsStripShardLabel {@code true} when the shards' series lack the shard label
   * @param exactFloatOrder {@code true}: {@code sum} and {@code avg} that drop the shard label
   *     fetch their argument's series and add them in the router in global series order, as
   *     Prometheus 2.42 does, so the answer is the same to the last bit (at the cost of sending
   *     every series instead of one partial per group); {@code false} (the default): per-shard
   *     partials, which may differ in the last bits
   * @return the plan
   * @throws io.promroute.shard.ShardRoutingException with reason {@code CROSS_SHARD_NOT_SUPPORTED}
   *     when a part of the query cannot be answered exactly yet
   * @throws IllegalArgumentException if the query selects no shard
   */
  public static QueryPlan plan(
      ShardedQuery query, boolean shardsStripShardLabel, boolean exactFloatOrder) {
    return plan(query, shardsStripShardLabel, exactFloatOrder, false);
  }

  /**
   * Plans a routed query, optionally with every operation between vectors of several shards matched
   * by the router: the plan to use when a guarded shard query of the usual plan ({@link
   * QueryPlan#guarded()}) failed with a one-side duplicate ({@link
   * io.promroute.shard.EmptySideGuard}), which one Prometheus holding every shard's series raises
   * only at steps where the other side is not empty on every shard.
   *
   * @param query a query routed to at least one shard
   * @param shardsStripShardLabel {@code true} when the shards' series lack the shard label
   * @param exactFloatOrder {@code true}: bit-exact {@code sum} and {@code avg}
   * @param routerMatching {@code true}: the router matches every arithmetic or comparison between
   *     vectors whose selectors read several shards
   * @return the plan
   * @throws io.promroute.shard.ShardRoutingException when a part of the query cannot be answered
   *     exactly yet
   * @throws IllegalArgumentException if the query selects no shard
   */
  public static QueryPlan plan(
      ShardedQuery query,
      boolean shardsStripShardLabel,
      boolean exactFloatOrder,
      boolean routerMatching) {
    requireNonNull(query, "query is null");
    if (query.shards().isEmpty()) {
      throw new IllegalArgumentException("the query selects no shard: nothing to plan");
    }
    // Planning recurses over the tree: see DeepStack.
    return DeepStack.call(
        () -> {
          Planning planning =
              new Planning(
                  query.shardLabel(),
                  shardsStripShardLabel,
                  exactFloatOrder,
                  query.shards(),
                  query.selectorShards(),
                  routerMatching);
          PlanNode root = planning.plan(query.expr());
          // Sent whole, the shards (Prometheus themselves) raise the error.
          if (!(root instanceof PlanNode.Fetch)
              && isParenthesisedStepInvariantRange(query.expr())) {
            root = new PlanNode.OnePointPerSeries(root);
          }
          return new QueryPlan(query, root, planning.fetches(), planning.guarded());
        },
        () -> new PromQLParseException("query is nested too deeply", 1, 1, 0, 0));
  }

  /**
   * Whether the query is a subquery or range selector with {@code @} in parentheses, which
   * Prometheus 2.42's engine wraps whole as a step-invariant expression ({@link
   * PlanNode.OnePointPerSeries}). Elsewhere in a query such a range vector is a function's
   * argument, whose parentheses the engine removes.
   */
  private static boolean isParenthesisedStepInvariantRange(Expr expr) {
    if (!(expr instanceof ParenExpr)) {
      return false;
    }
    Expr inner = expr;
    while (inner instanceof ParenExpr paren) {
      inner = paren.expr();
    }
    return (inner instanceof SubqueryExpr subquery && subquery.at() != null)
        || (inner instanceof MatrixSelector matrix && matrix.selector().at() != null);
  }
}
