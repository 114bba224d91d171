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

  public SubqueryExpr {
    requireNonNull(expr, "expr is null");
    requireNonNull(range, "range is null");
  }

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
