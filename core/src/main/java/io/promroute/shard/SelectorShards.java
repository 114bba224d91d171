package io.promroute.shard;

import static java.util.Objects.requireNonNull;

import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ExprRewriter;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The shards each selector of a query reads, in the global view: those its own matchers on the
 * shard label select, every shard for a selector without one. A selector whose matchers select no
 * known shard (an unknown value, or {@code cluster="b", cluster="c"}) reads none and is empty, as
 * it is in one Prometheus holding every shard.
 *
 * <p>A part of a query is evaluated on a shard as {@link #forShard}: the selectors that read the
 * shard lose their shard matchers (the shard's series lack the label), the others are made to match
 * nothing there. Immutable and thread-safe.
 */
public final class SelectorShards {

  private final String shardLabel;
  private final List<String> shards;
  private final ShardMatcherSets matcherSets;
  private final boolean strip;

  SelectorShards(
      String shardLabel, List<String> shards, ShardMatcherSets matcherSets, boolean strip) {
    this.shardLabel = requireNonNull(shardLabel, "shardLabel is null");
    this.shards = List.copyOf(shards);
    this.matcherSets = requireNonNull(matcherSets, "matcherSets is null");
    this.strip = strip;
  }

  /** The shards {@code selector} reads, as indexes into the configured shards. */
  BitSet of(VectorSelector selector) {
    BitSet read = null;
    for (LabelMatcher matcher : selector.matchers()) {
      if (matcher.name().equals(shardLabel)) {
        if (read == null) {
          read = (BitSet) matcherSets.select(matcher).clone();
        } else {
          read.and(matcherSets.select(matcher));
        }
      }
    }
    if (read == null) {
      read = new BitSet(shards.size());
      read.set(0, shards.size());
    }
    return read;
  }

  /**
   * The shards some selector of {@code expr} reads, in configuration order.
   *
   * @param expr a part of the routed query (or the whole)
   * @return the shard keys, empty when every selector reads none (or {@code expr} has no selector)
   */
  public List<String> shardsOf(Expr expr) {
    BitSet read = new BitSet(shards.size());
    for (VectorSelector selector : selectors(expr)) {
      read.or(of(selector));
    }
    return keys(read);
  }

  /**
   * {@code expr} as shard {@code shard} evaluates its part of the global view: each selector that
   * reads the shard without its shard matchers, each other selector matching nothing there (keeping
   * the equality matchers {@code absent} takes its labels from). When the shards store the label
   * themselves, {@code expr} unchanged: their own series decide.
   *
   * @param expr a part of the routed query (or the whole), with its shard matchers
   * @param shard the shard's key
   * @return what to send to that shard
   * @throws IllegalArgumentException if {@code shard} is not a configured shard
   */
  public Expr forShard(Expr expr, String shard) {
    int index = shards.indexOf(shard);
    if (index < 0) {
      throw new IllegalArgumentException("unknown shard \"" + shard + "\"");
    }
    if (!strip) {
      return expr;
    }
    return new ExprRewriter() {
      @Override
      public Expr visitVectorSelector(VectorSelector node) {
        return of(node).get(index)
            ? ShardQueryAnalyzer.stripped(node, shardLabel, false)
            : NoShardQuery.matchingNothing(node, shardLabel, true, true);
      }
    }.rewrite(expr);
  }

  List<String> keys(BitSet read) {
    List<String> keys = new ArrayList<>(read.cardinality());
    for (int i = read.nextSetBit(0); i >= 0; i = read.nextSetBit(i + 1)) {
      keys.add(shards.get(i));
    }
    return List.copyOf(keys);
  }

  /** Every selector of {@code expr}, those of matrix selectors included, in query order. */
  static List<VectorSelector> selectors(Expr expr) {
    List<VectorSelector> found = new ArrayList<>();
    new ExprRewriter() {
      @Override
      public Expr visitVectorSelector(VectorSelector node) {
        found.add(node);
        return node;
      }
    }.rewrite(expr);
    return found;
  }
}
