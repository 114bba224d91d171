package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

/**
 * A range vector selector {@code selector[range]}.
 *
 * <p>As in Prometheus, {@code @}, {@code offset} and {@code anchored}/{@code smoothed} live on the
 * inner selector even though they are written (and printed) after the range: {@code foo[5m]
 * anchored @ 10 offset 1m}.
 *
 * @param selector the selector, carrying the modifiers
 * @param range the range, a literal or (Prometheus 3.4+) a duration expression
 */
public record MatrixSelector(VectorSelector selector, DurationExpr range) implements Expr {

  /**
   * Checks the node.
   *
   * @param selector the selector, carrying the modifiers
   * @param range the range
   * @throws NullPointerException if an argument is null
   */
  public MatrixSelector {
    requireNonNull(selector, "selector is null");
    requireNonNull(range, "range is null");
  }

  @Override
  public ValueType type() {
    return ValueType.RANGE_VECTOR;
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.visitMatrixSelector(this);
  }
}
