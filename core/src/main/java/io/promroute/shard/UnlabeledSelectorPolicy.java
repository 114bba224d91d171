package io.promroute.shard;

/** What to do with selectors that do not name the shard label, in a query where others do. */
public enum UnlabeledSelectorPolicy {
  /** They run on the shard(s) the other selectors chose (default; prome-route's behaviour). */
  INHERIT,
  /** Refuse the query ({@link ShardRoutingException.Reason#UNLABELED_SELECTOR}). */
  REJECT
}
