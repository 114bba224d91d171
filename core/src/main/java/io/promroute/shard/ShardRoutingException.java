package io.promroute.shard;

import static java.util.Objects.requireNonNull;

/**
 * A query that cannot be routed to shards, with a message a Grafana user understands, e.g. {@code
 * query selects no shard: add a matcher on label "cluster" (known shards: a, b, c)}.
 */
public final class ShardRoutingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why routing failed. */
  public enum Reason {
    /** The query names a shard value that no configured shard has (and the policy rejects it). */
    UNKNOWN_SHARD,
    /** Two selectors of the query select disjoint shard sets. */
    CONFLICTING_SHARDS,
    /** The query names the shard label nowhere and the policy requires it. */
    NO_SHARD_MATCHER,
    /**
     * A selector without a shard matcher, in a query where others have one, under policy REJECT.
     */
    UNLABELED_SELECTOR,
    /** The query reads the shard label's value in a way a shard cannot reproduce. */
    NOT_SHARDABLE,
    /** The query needs a cross-shard merge, which this router does not do. */
    CROSS_SHARD_NOT_SUPPORTED
  }

  private final Reason reason;

  /**
   * A routing failure.
   *
   * @param reason why routing failed
   * @param message the message for the user, naming the shard label and, where it helps, the known
   *     shards
   * @throws NullPointerException if {@code reason} is null
   */
  public ShardRoutingException(Reason reason, String message) {
    super(message);
    this.reason = requireNonNull(reason, "reason is null");
  }

  /**
   * Why routing failed, for code that reacts to the cause (the message is for people).
   *
   * @return the reason, never null
   */
  public Reason reason() {
    return reason;
  }
}
