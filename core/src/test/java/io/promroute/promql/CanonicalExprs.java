package io.promroute.promql;

import io.promroute.compat.GoStrings;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ExprRewriter;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * Trees as the printer canonicalises them, for comparing a tree with {@code parse(print(tree))}.
 *
 * <p>The parser keeps matchers in source order; the printer, like Prometheus's, sorts them by their
 * printed form. That order is the only thing a print loses, so a parsed tree equals the reparse of
 * its printed form once its matchers are sorted the same way.
 */
public final class CanonicalExprs {

  private CanonicalExprs() {}

  /** The same tree with every selector's matchers in the printer's order. */
  public static Expr withSortedMatchers(Expr expr) {
    return new ExprRewriter() {
      @Override
      public Expr visitVectorSelector(VectorSelector node) {
        List<LabelMatcher> sorted = sortedMatchers(node.matchers());
        return sorted.equals(node.matchers()) ? node : node.withMatchers(sorted);
      }
    }.rewrite(expr);
  }

  /** Matchers sorted by their printed form, compared as Go compares strings. */
  public static List<LabelMatcher> sortedMatchers(List<LabelMatcher> matchers) {
    List<LabelMatcher> sorted = new ArrayList<>(matchers);
    sorted.sort(
        (left, right) ->
            GoStrings.compare(Printer.matcherString(left), Printer.matcherString(right)));
    return List.copyOf(sorted);
  }
}
