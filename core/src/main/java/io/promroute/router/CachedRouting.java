package io.promroute.router;

import io.promroute.shard.ShardedQuery;

/**
 * A routing that remembers each query text's routing ({@link Routing#of}, {@link
 * Routing#following}) as a {@link RoutedQuery}, so that the router's own work on a routed query is
 * remembered with it. The router routes a query of any other routing anew, and does that work anew,
 * on every request.
 */
interface CachedRouting extends Routing {

  /**
   * Routes a query, or answers its remembered routing.
   *
   * @throws io.promroute.promql.PromQLParseException if the query is not valid PromQL
   * @throws io.promroute.shard.ShardRoutingException if the query cannot be routed
   */
  RoutedQuery routed(String query);

  @Override
  default ShardedQuery rewrite(String query) {
    return routed(query).sharded();
  }
}
