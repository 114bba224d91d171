package io.promroute.shard;

import static java.util.Objects.requireNonNull;

import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ValueType;
import java.util.List;

/**
 * A query routed to its shards: which shards to ask, what to send them, and how to turn their
 * answers into the answer one Prometheus holding every shard's data (with the shard label) would
 * give.
 *
 * @param shardLabel the shard label's name, e.g. {@code cluster}
 * @param shards the selected shard keys, distinct, in configuration order; empty when the query
 *     names only unknown shards (ask any one shard {@link #query()}, see {@link Execution#NONE})
 * @param expr the rewritten query
 * @param query {@code expr} printed canonically: what to send to each shard
 * @param addShardLabel whether each series of a shard's answer gets {@code shardLabel="<key>"}
 *     added
 * @param execution how the shards' answers combine
 * @param warnings warnings to add to the answer (Prometheus's {@code warnings} array), e.g. an
 *     unknown shard value
 * @param crossShardReason for {@link Execution#CROSS_SHARD_MERGE} (and {@link
 *     Execution#CONCATENATE_IF_RANGE}), which part of the query combines series of different
 *     shards, in words a Grafana user understands; empty otherwise
 * @param selectorShards when the selectors read different shards (each the shards its own shard
 *     matchers select): which each reads, and how a part of {@code expr} is rewritten for one
 *     shard; {@code expr} then still has its shard matchers, and the execution is {@link
 *     Execution#CROSS_SHARD_MERGE} over {@link #shards()}, the shards any selector reads. {@code
 *     null} when every selector reads all of {@link #shards()} and {@code expr} is what each gets
 */
public record ShardedQuery(
    String shardLabel,
    List<String> shards,
    Expr expr,
    String query,
    boolean addShardLabel,
    Execution execution,
    List<String> warnings,
    String crossShardReason,
    SelectorShards selectorShards) {

  /** How the answers of the selected shards make the global answer. */
  public enum Execution {
    /**
     * The query selects no known shard, so no shard's series count: {@link #shards()} is empty and
     * {@link #query()} is the query with every selector made to match nothing on a shard. Any one
     * shard's answer to it, with no label added, is the global answer: empty for nearly every
     * query, but not for those that turn emptiness into a value ({@code absent(x{cluster="zzz"})}
     * is {@code {cluster="zzz"} 1}, {@code ... or vector(0)}, {@code scalar(...)} is NaN).
     */
    NONE,
    /** Exactly one shard is asked; its answer, with the label added back, is the answer. */
    SINGLE_SHARD,
    /**
     * Each selected shard answers for its own series; concatenating the answers (each with its
     * shard label added) is exact.
     */
    CONCATENATE,
    /**
     * The shards' answers must be combined across shards (a cross-shard merge), or, even for one
     * shard, the router must compute part of the query from the shards' answers because the shards
     * do not store the shard label the query compares (as in {@code x{cluster="a"} or vector(0)}):
     * see {@code io.promroute.plan.QueryPlanner}.
     */
    CROSS_SHARD_MERGE,
    /**
     * {@link #CONCATENATE} for a range query, {@link #CROSS_SHARD_MERGE} for an instant one: the
     * query orders its result at the top ({@code sort}, {@code sort_desc}, {@code sort_by_label},
     * {@code sort_by_label_desc}) over an argument each shard evaluates for its own series.
     * Prometheus orders a range query's result by labels, whatever the query says, so there each
     * shard's answer to the whole query is its part of the global one; an instant query's order is
     * across shards.
     */
    CONCATENATE_IF_RANGE
  }

  /**
   * Checks the routed query and copies the lists.
   *
   * @param shardLabel the shard label's name
   * @param shards the selected shard keys, in configuration order
   * @param expr the rewritten query
   * @param query {@code expr} printed canonically
   * @param addShardLabel whether the shard label is added to each series of a shard's answer
   * @param execution how the shards' answers combine
   * @param warnings warnings for the answer
   * @param crossShardReason why the query combines series of different shards, or empty
   * @param selectorShards the shards each selector reads, or {@code null} when every selector reads
   *     all of {@code shards}
   * @throws NullPointerException if an argument but {@code selectorShards} is null
   * @throws IllegalArgumentException if {@code selectorShards} is given for an execution other than
   *     {@link Execution#CROSS_SHARD_MERGE}
   */
  public ShardedQuery {
    requireNonNull(shardLabel, "shardLabel is null");
    shards = List.copyOf(requireNonNull(shards, "shards is null"));
    requireNonNull(expr, "expr is null");
    requireNonNull(query, "query is null");
    requireNonNull(execution, "execution is null");
    warnings = List.copyOf(requireNonNull(warnings, "warnings is null"));
    requireNonNull(crossShardReason, "crossShardReason is null");
    if (selectorShards != null && execution != Execution.CROSS_SHARD_MERGE) {
      throw new IllegalArgumentException(
          "selectors with shards of their own need a cross-shard merge");
    }
  }

  /**
   * A routed query whose selectors all read {@code shards}.
   *
   * @param shardLabel the shard label's name
   * @param shards the selected shard keys, in configuration order
   * @param expr the rewritten query
   * @param query {@code expr} printed canonically
   * @param addShardLabel whether the shard label is added to each series of a shard's answer
   * @param execution how the shards' answers combine
   * @param warnings warnings for the answer
   * @param crossShardReason why the query combines series of different shards, or empty
   */
  public ShardedQuery(
      String shardLabel,
      List<String> shards,
      Expr expr,
      String query,
      boolean addShardLabel,
      Execution execution,
      List<String> warnings,
      String crossShardReason) {
    this(
        shardLabel,
        shards,
        expr,
        query,
        addShardLabel,
        execution,
        warnings,
        crossShardReason,
        null);
  }

  /**
   * A routed query without a cross-shard reason (the form before that component existed).
   *
   * @param shardLabel the shard label's name
   * @param shards the selected shard keys, in configuration order
   * @param expr the rewritten query
   * @param query {@code expr} printed canonically
   * @param addShardLabel whether the shard label is added to each series of a shard's answer
   * @param execution how the shards' answers combine
   * @param warnings warnings for the answer
   */
  public ShardedQuery(
      String shardLabel,
      List<String> shards,
      Expr expr,
      String query,
      boolean addShardLabel,
      Execution execution,
      List<String> warnings) {
    this(shardLabel, shards, expr, query, addShardLabel, execution, warnings, "");
  }

  /**
   * The type of an instant query's answer ({@code /api/v1/query}), as Prometheus's {@code
   * resultType} names it via {@link ValueType#resultType()}. A range query ({@code
   * /api/v1/query_range}) always answers a matrix.
   *
   * @return the type of the rewritten expression
   */
  public ValueType resultType() {
    return expr.type();
  }
}
