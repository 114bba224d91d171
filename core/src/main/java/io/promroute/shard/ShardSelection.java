package io.promroute.shard;

import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ExprVisitor;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.StringLiteral;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.UnaryExpr;
import io.promroute.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The shards a query's selectors name: the intersection of what every matcher on the shard label
 * selects, over all selectors. Policies are applied by {@link ShardRewriter}; this only observes.
 */
final class ShardSelection {

  private BitSet selected;
  private final List<LabelMatcher> seenMatchers = new ArrayList<>();
  private final List<LabelMatcher> unknownMatchers = new ArrayList<>();
  private String conflict;
  private boolean hasSelector;
  private VectorSelector firstUnlabeledSelector;
  private final List<VectorSelector> labeledSelectors = new ArrayList<>();
  private final List<BitSet> labeledSelectorSets = new ArrayList<>();

  private ShardSelection() {}

  static ShardSelection of(Expr query, String shardLabel, ShardMatcherSets matcherSets) {
    ShardSelection selection = new ShardSelection();
    query.accept(selection.new Collector(shardLabel, matcherSets));
    return selection;
  }

  boolean hasSelector() {
    return hasSelector;
  }

  boolean hasLabeledSelector() {
    return !seenMatchers.isEmpty() || !unknownMatchers.isEmpty();
  }

  /** Matchers that select no known shard on their own, in query order. */
  List<LabelMatcher> unknownMatchers() {
    return unknownMatchers;
  }

  /** Why the matchers select disjoint shards, or {@code null}. */
  String conflict() {
    return conflict;
  }

  VectorSelector firstUnlabeledSelector() {
    return firstUnlabeledSelector;
  }

  /**
   * Selectors that name more shards than the query runs on (the intersection), with the shards they
   * lose, for a warning: one Prometheus holding every shard would read those too.
   */
  List<String> widerSelectors(ShardMatcherSets matcherSets) {
    List<String> wider = new ArrayList<>();
    for (int i = 0; i < labeledSelectors.size(); i++) {
      BitSet lost = (BitSet) labeledSelectorSets.get(i).clone();
      lost.andNot(selected);
      if (!lost.isEmpty()) {
        wider.add(
            "selector "
                + Describe.selector(labeledSelectors.get(i))
                + " also names shards "
                + matcherSets.describe(lost)
                + ", which other selectors exclude; the query runs on "
                + matcherSets.describe(selected)
                + " only");
      }
    }
    return wider;
  }

  /** The selected shard keys in configuration order; only when labeled and without conflict. */
  List<String> selectedKeys(List<String> allShards) {
    List<String> keys = new ArrayList<>(selected.cardinality());
    for (int i = selected.nextSetBit(0); i >= 0; i = selected.nextSetBit(i + 1)) {
      keys.add(allShards.get(i));
    }
    return List.copyOf(keys);
  }

  private void addMatcher(LabelMatcher matcher, ShardMatcherSets matcherSets) {
    BitSet matched = matcherSets.select(matcher);
    if (matched.isEmpty()) {
      unknownMatchers.add(matcher);
      return;
    }
    if (conflict != null) {
      return;
    }
    if (selected == null) {
      selected = (BitSet) matched.clone();
    } else {
      BitSet next = (BitSet) selected.clone();
      next.and(matched);
      if (next.isEmpty()) {
        conflict = describeConflict(matcher, matched, matcherSets);
        return;
      }
      selected = next;
    }
    seenMatchers.add(matcher);
  }

  private String describeConflict(
      LabelMatcher matcher, BitSet matched, ShardMatcherSets matcherSets) {
    for (LabelMatcher earlier : seenMatchers) {
      if (!matcherSets.select(earlier).intersects(matched)) {
        return Describe.matcher(earlier)
            + " and "
            + Describe.matcher(matcher)
            + " select disjoint shards ("
            + matcherSets.describe(matcherSets.select(earlier))
            + " versus "
            + matcherSets.describe(matched)
            + ")";
      }
    }
    List<String> earlier = new ArrayList<>();
    for (LabelMatcher seen : seenMatchers) {
      earlier.add(Describe.matcher(seen));
    }
    return String.join(", ", earlier)
        + " together select "
        + matcherSets.describe(selected)
        + ", but "
        + Describe.matcher(matcher)
        + " selects "
        + matcherSets.describe(matched);
  }

  private final class Collector implements ExprVisitor<Void> {
    private final String shardLabel;
    private final ShardMatcherSets matcherSets;

    Collector(String shardLabel, ShardMatcherSets matcherSets) {
      this.shardLabel = shardLabel;
      this.matcherSets = matcherSets;
    }

    @Override
    public Void visitNumberLiteral(NumberLiteral node) {
      return null;
    }

    @Override
    public Void visitStringLiteral(StringLiteral node) {
      return null;
    }

    @Override
    public Void visitVectorSelector(VectorSelector node) {
      hasSelector = true;
      BitSet selectorSet = null;
      for (LabelMatcher matcher : node.matchers()) {
        if (matcher.name().equals(shardLabel)) {
          addMatcher(matcher, matcherSets);
          BitSet matched = matcherSets.select(matcher);
          if (selectorSet == null) {
            selectorSet = (BitSet) matched.clone();
          } else {
            selectorSet.and(matched);
          }
        }
      }
      if (selectorSet == null) {
        if (firstUnlabeledSelector == null) {
          firstUnlabeledSelector = node;
        }
      } else {
        labeledSelectors.add(node);
        labeledSelectorSets.add(selectorSet);
      }
      return null;
    }

    @Override
    public Void visitMatrixSelector(MatrixSelector node) {
      return visitVectorSelector(node.selector());
    }

    @Override
    public Void visitSubqueryExpr(SubqueryExpr node) {
      return node.expr().accept(this);
    }

    @Override
    public Void visitCall(Call node) {
      for (Expr arg : node.args()) {
        arg.accept(this);
      }
      return null;
    }

    @Override
    public Void visitAggregateExpr(AggregateExpr node) {
      if (node.param() != null) {
        node.param().accept(this);
      }
      return node.expr().accept(this);
    }

    @Override
    public Void visitBinaryExpr(BinaryExpr node) {
      node.lhs().accept(this);
      return node.rhs().accept(this);
    }

    @Override
    public Void visitUnaryExpr(UnaryExpr node) {
      return node.expr().accept(this);
    }

    @Override
    public Void visitParenExpr(ParenExpr node) {
      return node.expr().accept(this);
    }
  }
}
