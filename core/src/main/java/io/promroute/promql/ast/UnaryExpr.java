package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

/**
 * A unary {@code -expr} or {@code +expr}. The parser folds a sign in front of a number into the
 * {@link NumberLiteral}, as Prometheus does.
 *
 * @param negative {@code true} for {@code -}, {@code false} for {@code +}
 * @param expr the operand
 */
public record UnaryExpr(boolean negative, Expr expr) implements Expr {

  /**
   * Checks the node.
   *
   * @param negative {@code true} for {@code -}
   * @param expr the operand
   * @throws NullPointerException if {@code expr} is null
   */
  public UnaryExpr {
    requireNonNull(expr, "expr is null");
  }

  /**
   * The same sign in front of another operand.
   *
   * @param newExpr the operand
   * @return a new node
   */
  public UnaryExpr withExpr(Expr newExpr) {
    return new UnaryExpr(negative, newExpr);
  }

  @Override
  public ValueType type() {
    return expr.type();
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.visitUnaryExpr(this);
  }
}
