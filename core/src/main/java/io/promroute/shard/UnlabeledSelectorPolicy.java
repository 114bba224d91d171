package io.promroute.shard;

/**
 * Which shards the selectors of a query read, in particular those that do not name the shard label
 * in a query where others do.
 */
public enum UnlabeledSelectorPolicy {
  /**
   * The global view (default): every selector reads the shards its own shard matchers select, a
   * selector without one reads every shard, as in one Prometheus holding every shard's series.
   * Selectors that read different shards make the router combine the shards' answers.
   */
  GLOBAL_VIEW,
  /**
   * prome-route's behaviour, a compatibility policy that differs from one Prometheus: the whole
   * query runs on the intersection of the shards its selectors name, selectors without a shard
   * matcher read those shards only, and selectors naming disjoint shards are refused ({@link
   * ShardRoutingException.Reason#CONFLICTING_SHARDS}). Exact only when every selector names the
   * same shards, as Grafana's {@code cluster=~"$cluster"} does.
   */
  INHERIT,
  /**
   * As {@link #GLOBAL_VIEW}, but a selector without a shard matcher in a query where others have
   * one is refused ({@link ShardRoutingException.Reason#UNLABELED_SELECTOR}).
   */
  REJECT
}
