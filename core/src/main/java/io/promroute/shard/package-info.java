/**
 * The shard rewrite: {@link io.promroute.shard.ShardRewriter} routes a query to the shards its
 * shard matcher selects and rewrites it for them.
 */
package io.promroute.shard;
