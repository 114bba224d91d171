package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

/**
 * A subquery {@code expr[range:step] @ t offset d}; the step is optional.
 *
 * @param expr the inner expression, of instant vector type
 * @param range the range
 * @param step the resolution, or {@code null} for the default
 * @param offset the {@code offset} duration, or {@code null}
 * @param at the {@code @} modifier, or {@code null}
 */
public record SubqueryExpr(
    Expr expr, DurationExpr range, DurationExpr step, DurationExpr offset, AtModifier at)
    implements Expr {

  /**
   * Checks the node. That {@code expr} is an instant vector is the parser's check.
   *
   * @param expr the inner expression
   * @param range the range
   * @param step the resolution, or {@code null}: Prometheus then uses the global evaluation
   *     interval
   * @param offset the {@code offset}, or {@code null}
   * @param at the {@code @} modifier, or {@code null}
   * @throws NullPointerException if {@code expr} or {@code range} is null
   */
  public SubqueryExpr {
    requireNonNull(expr, "expr is null");
    requireNonNull(range, "range is null");
  }

  /**
   * This subquery over another inner expression.
   *
   * @param newExpr the inner expression
   * @return a copy with {@code newExpr}, range, step and modifiers unchanged
   */
  public SubqueryExpr withExpr(Expr newExpr) {
    return new SubqueryExpr(newExpr, range, step, offset, at);
  }

  @Override
  public ValueType type() {
    return ValueType.RANGE_VECTOR;
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.visitSubqueryExpr(this);
  }
}
