package io.promroute.shard;

/** What to do with a query that names the shard label nowhere. */
public enum MissingShardMatcherPolicy {
  /** Ask every shard: what one Prometheus holding all shards' data would answer (default). */
  ALL_SHARDS,
  /** Refuse the query ({@link ShardRoutingException.Reason#NO_SHARD_MATCHER}). */
  REJECT,
  /** Send it to the configured default shard, as prome-route does. */
  DEFAULT_SHARD
}
