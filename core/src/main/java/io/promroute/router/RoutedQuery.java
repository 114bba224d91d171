package io.promroute.router;

import static java.util.Objects.requireNonNull;

import io.promroute.promql.PromQL;
import io.promroute.promql.ast.Expr;
import io.promroute.shard.EmptySideGuard;
import io.promroute.shard.ShardedQuery;

/**
 * A routed query and what the router derives from it alone, remembered with it: a {@link
 * CachedRouting} keeps one per query text, so a repeated query (a dashboard's refresh) neither
 * walks its syntax tree for the guard nor prints it again.
 */
final class RoutedQuery {

  private final ShardedQuery sharded;

  // Computed on the first fan-out that asks (most queries never fan out), then read by every
  // request: two threads that both compute it store equal values, so no lock is needed. The shard
  // label is kept with it because the guard depends on it and a cached value must be exact.
  private volatile Guarded guarded;

  private record Guarded(String shardLabel, String query) {}

  RoutedQuery(ShardedQuery sharded) {
    this.sharded = requireNonNull(sharded, "sharded is null");
  }

  ShardedQuery sharded() {
    return sharded;
  }

  /**
   * The shard query for several shards that each evaluate the whole query over their own series,
   * guarded ({@link EmptySideGuard}), or {@code null} when the guard changes nothing.
   */
  String guardedQuery(String shardLabel) {
    Guarded known = guarded;
    if (known == null || !known.shardLabel().equals(shardLabel)) {
      Expr guardedExpr = EmptySideGuard.apply(sharded.expr(), shardLabel);
      known =
          new Guarded(shardLabel, guardedExpr == sharded.expr() ? null : PromQL.print(guardedExpr));
      guarded = known;
    }
    return known.query();
  }
}
