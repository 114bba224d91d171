package io.promroute.shard;

/** What to do when a query's shard matchers select no configured shard ({@code cluster="zzz"}). */
public enum UnknownShardPolicy {
  /**
   * Answer an empty result with a warning naming the value, as one Prometheus holding all shards'
   * data would (default).
   */
  EMPTY_RESULT,
  /** Refuse the query ({@link ShardRoutingException.Reason#UNKNOWN_SHARD}). */
  REJECT
}
