package io.promroute.shard;

import static java.util.Objects.requireNonNull;

import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ExprRewriter;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.MatchOp;
import io.promroute.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * The query to evaluate for a query whose shard matchers select no known shard: every selector made
 * to match nothing on a shard, so that any one shard evaluates the query over no series, as the
 * global view does. An empty answer is not enough: {@code absent(x{cluster="z"})}, {@code
 * x{cluster="z"} or vector(0)} and {@code scalar(x{cluster="z"})} turn emptiness into a value, and
 * {@code absent} takes its labels from the equality matchers, {@code cluster="z"} included.
 *
 * <p>Shard matchers that reject the empty value are kept: a shard's series lack the label (strip
 * mode) or carry a key the matcher rejects (keep mode), so they match nothing and {@code absent}
 * sees them as Prometheus does. In strip mode a shard matcher that accepts the empty value ({@code
 * cluster=~"z|"}) would match every series of the shard: it becomes {@code cluster!~""}, which no
 * series of the shard has and which {@code absent} ignores. A selector without a shard matcher
 * reads the selected shards (policy INHERIT), that is none: it gets the matcher that no series of a
 * shard matches.
 */
final class NoShardQuery extends ExprRewriter {

  private final String shardLabel;
  private final boolean strip;

  private NoShardQuery(String shardLabel, boolean strip) {
    this.shardLabel = requireNonNull(shardLabel, "shardLabel is null");
    this.strip = strip;
  }

  /** {@code query} with every selector matching no series of a shard. */
  static Expr of(Expr query, String shardLabel, boolean strip) {
    return new NoShardQuery(shardLabel, strip).rewrite(query);
  }

  @Override
  public Expr visitVectorSelector(VectorSelector node) {
    return matchingNothing(node, shardLabel, strip, true);
  }

  /**
   * {@code node} made to match no series of a shard, with the equality matchers {@code absent}
   * reads kept where they already match nothing there.
   *
   * @param unlabeledMatchesNothing whether a selector without a shard matcher gets one that matches
   *     nothing (else it is returned unchanged: it reads the shard)
   */
  static VectorSelector matchingNothing(
      VectorSelector node, String shardLabel, boolean strip, boolean unlabeledMatchesNothing) {
    // Strip: no series of a shard has the label. Keep: every series of a shard has it.
    LabelMatcher nothing =
        new LabelMatcher(shardLabel, strip ? MatchOp.NOT_REGEX : MatchOp.EQUAL, "");
    List<LabelMatcher> matchers = new ArrayList<>();
    boolean labeled = false;
    boolean changed = false;
    for (LabelMatcher matcher : node.matchers()) {
      if (!matcher.name().equals(shardLabel)) {
        matchers.add(matcher);
        continue;
      }
      labeled = true;
      if (strip && Regexes.matchesEmpty(matcher)) {
        matchers.add(nothing);
        changed = true;
      } else {
        matchers.add(matcher);
      }
    }
    if (!labeled && unlabeledMatchesNothing) {
      matchers.add(nothing);
      changed = true;
    }
    return changed ? node.withMatchers(matchers) : node;
  }
}
