/**
 * The shard rewrite: {@link io.promroute.shard.ShardRewriter} routes a query to the shards its
 * shard matcher selects and rewrites it for them.
 *
 * <p>The definition of correct is the global view: one Prometheus holding every shard's series,
 * each with the shard label set to its shard's key. {@link io.promroute.shard.ShardedQuery} says
 * which shards to ask, what to send, whether to add the label back to the answers' series, and
 * whether concatenating the shards' answers is the global answer; what the shards cannot reproduce
 * fails with a {@link io.promroute.shard.ShardRoutingException} whose message names the part of the
 * query at fault.
 */
package io.promroute.shard;
