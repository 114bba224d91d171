package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * An aggregation {@code op [by|without (labels)] ([param, ] expr)}.
 *
 * <p>{@code by ()} means the same as no grouping and is represented the same way ({@code without}
 * false, no labels); {@code without ()} is kept, as Prometheus prints it.
 *
 * @param op the operator
 * @param expr the aggregated expression
 * @param param the parameter of {@code topk}, {@code quantile}, {@code count_values}, ...; or
 *     {@code null}
 * @param without {@code true} for {@code without (...)}, {@code false} for {@code by (...)} or none
 * @param grouping the labels of {@code by} / {@code without}
 */
public record AggregateExpr(
    AggregateOp op, Expr expr, Expr param, boolean without, List<String> grouping) implements Expr {

  /**
   * Checks the node and copies {@code grouping}.
   *
   * @param op the operator
   * @param expr the aggregated expression
   * @param param the operator's parameter, or {@code null} for an operator that takes none
   * @param without {@code true} for {@code without (...)}
   * @param grouping the labels of {@code by} / {@code without}, in source order
   * @throws NullPointerException if {@code op}, {@code expr} or {@code grouping} is null
   */
  public AggregateExpr {
    requireNonNull(op, "op is null");
    requireNonNull(expr, "expr is null");
    grouping = List.copyOf(requireNonNull(grouping, "grouping is null"));
  }

  /**
   * This aggregation over another expression.
   *
   * @param newExpr the expression to aggregate
   * @return a copy with {@code newExpr}, operator, parameter and grouping unchanged
   */
  public AggregateExpr withExpr(Expr newExpr) {
    return new AggregateExpr(op, newExpr, param, without, grouping);
  }

  /**
   * This aggregation with another parameter ({@code k} of {@code topk}, the label of {@code
   * count_values}, ...).
   *
   * @param newParam the parameter, or {@code null}
   * @return a copy with {@code newParam}
   */
  public AggregateExpr withParam(Expr newParam) {
    return new AggregateExpr(op, expr, newParam, without, grouping);
  }

  /**
   * This aggregation with another grouping.
   *
   * @param newWithout {@code true} for {@code without (...)}, {@code false} for {@code by (...)}
   * @param newGrouping the labels
   * @return a copy with the new grouping
   */
  public AggregateExpr withGrouping(boolean newWithout, List<String> newGrouping) {
    return new AggregateExpr(op, expr, param, newWithout, newGrouping);
  }

  @Override
  public ValueType type() {
    return ValueType.INSTANT_VECTOR;
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.visitAggregateExpr(this);
  }
}
