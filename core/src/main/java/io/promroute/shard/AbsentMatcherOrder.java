package io.promroute.shard;

import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ExprRewriter;
import io.promroute.promql.ast.KnownFunction;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.MatchOp;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the labels of {@code absent(sel)} and {@code absent_over_time(sel[r])} independent of the
 * order the selector's matchers are printed in.
 *
 * <p>Prometheus 2.42 derives them from the matchers in the order written: the first equality
 * matcher of a label sets it, and every other matcher of that label met later deletes it, so {@code
 * absent(up{job=~"nod.*", job="missing"})} answers {@code {job="missing"}} and {@code
 * absent(up{job="missing", job=~"nod.*"})} answers {@code {}}. A query the router sends to a shard
 * is printed, and the printer sorts matchers (as Prometheus's does), which would change those
 * labels. So where the sorted order gives other labels than the written one, the matchers of that
 * label are replaced by equivalent ones whose sorted order gives the written answer. Sorted, a
 * label's matchers come {@code !=}, {@code !~}, {@code =}, {@code =~}, so the label is kept exactly
 * when it has one {@code =} and no {@code =~} matcher.
 */
final class AbsentMatcherOrder extends ExprRewriter {

  private static final AbsentMatcherOrder INSTANCE = new AbsentMatcherOrder();

  private AbsentMatcherOrder() {}

  /** The query with every absent argument's matchers made order-independent (or the same tree). */
  static Expr normalize(Expr query) {
    return INSTANCE.rewrite(query);
  }

  @Override
  public Expr visitCall(Call node) {
    Expr visited = super.visitCall(node);
    if (!(visited instanceof Call call)
        || node.function().known().shape() != KnownFunction.Shape.ABSENCE
        || call.args().size() != 1) {
      return visited;
    }
    Expr argument = normalizeArgument(call.args().get(0));
    return argument == call.args().get(0) ? call : call.withArgs(List.of(argument));
  }

  /** The engine looks through parentheses at a selector argument; so do we. */
  private static Expr normalizeArgument(Expr argument) {
    if (argument instanceof ParenExpr paren) {
      Expr inner = normalizeArgument(paren.expr());
      return inner == paren.expr() ? paren : paren.withExpr(inner);
    }
    if (argument instanceof VectorSelector selector) {
      return normalizeSelector(selector);
    }
    if (argument instanceof MatrixSelector matrix) {
      VectorSelector selector = normalizeSelector(matrix.selector());
      return selector == matrix.selector() ? matrix : new MatrixSelector(selector, matrix.range());
    }
    return argument;
  }

  private static VectorSelector normalizeSelector(VectorSelector selector) {
    Map<String, List<LabelMatcher>> byLabel = new LinkedHashMap<>();
    for (LabelMatcher matcher : selector.matchers()) {
      if (!matcher.name().equals(LabelMatcher.METRIC_NAME)) {
        byLabel.computeIfAbsent(matcher.name(), unused -> new ArrayList<>()).add(matcher);
      }
    }
    Map<String, List<LabelMatcher>> replacements = new LinkedHashMap<>();
    for (Map.Entry<String, List<LabelMatcher>> label : byLabel.entrySet()) {
      List<LabelMatcher> matchers = label.getValue();
      boolean written = keptInWrittenOrder(matchers);
      if (written != keptInSortedOrder(matchers)) {
        replacements.put(label.getKey(), equivalent(matchers, written));
      }
    }
    if (replacements.isEmpty()) {
      return selector;
    }
    // Each replaced label's new matchers stand where its first matcher stood.
    List<LabelMatcher> out = new ArrayList<>();
    for (LabelMatcher matcher : selector.matchers()) {
      List<LabelMatcher> replacement = replacements.get(matcher.name());
      if (replacement == null || matcher.name().equals(LabelMatcher.METRIC_NAME)) {
        out.add(matcher);
      } else if (!replacement.isEmpty()) {
        out.addAll(replacement);
        replacements.put(matcher.name(), List.of());
      }
    }
    return selector.withMatchers(out);
  }

  /**
   * 2.42's rule on the written order: the first {@code =} sets the label, anything later deletes
   * it.
   */
  private static boolean keptInWrittenOrder(List<LabelMatcher> matchers) {
    boolean seen = false;
    boolean kept = false;
    for (LabelMatcher matcher : matchers) {
      if (matcher.op() == MatchOp.EQUAL && !seen) {
        seen = true;
        kept = true;
      } else {
        kept = false;
      }
    }
    return kept;
  }

  private static boolean keptInSortedOrder(List<LabelMatcher> matchers) {
    long equal = matchers.stream().filter(m -> m.op() == MatchOp.EQUAL).count();
    boolean regex = matchers.stream().anyMatch(m -> m.op() == MatchOp.REGEX);
    return equal == 1 && !regex;
  }

  /**
   * Matchers selecting the same series whose sorted order keeps (or deletes) the label as {@code
   * kept} says. Both orders disagree only when the label has an {@code =} matcher, so every
   * selected series has its value {@code v}: the others reduce to whether they accept {@code v}.
   */
  private static List<LabelMatcher> equivalent(List<LabelMatcher> matchers, boolean kept) {
    LabelMatcher first =
        matchers.stream().filter(m -> m.op() == MatchOp.EQUAL).findFirst().orElseThrow();
    String value = first.value();
    boolean satisfiable = matchers.stream().allMatch(m -> accepts(m, value));
    List<LabelMatcher> out = new ArrayList<>();
    if (!satisfiable) {
      // Sorts first and deletes nothing that a later = does not set again; selects nothing.
      out.add(new LabelMatcher(first.name(), MatchOp.NOT_EQUAL, value));
    }
    out.add(first);
    if (!kept) {
      // A second = of the same value: no other series, and it deletes the label.
      out.add(first);
    }
    return out;
  }

  private static boolean accepts(LabelMatcher matcher, String value) {
    return switch (matcher.op()) {
      case EQUAL -> matcher.value().equals(value);
      case NOT_EQUAL -> !matcher.value().equals(value);
      case REGEX -> Regexes.compileAnchored(matcher.value()).matches(value);
      case NOT_REGEX -> !Regexes.compileAnchored(matcher.value()).matches(value);
    };
  }
}
