package io.promroute.shard;

/** Whether the shards store the shard label themselves. */
public enum ShardLabelMode {
  /**
   * The shards do not store the label (default): shard matchers are removed from the query and the
   * label is added back to the answer.
   */
  STRIP,
  /** The shards store the label: the query is only routed, and sent unchanged. */
  KEEP
}
