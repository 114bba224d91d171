package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

/**
 * Parentheses as written; kept in the tree because Prometheus's printer keeps them.
 *
 * @param expr the inner expression
 */
public record ParenExpr(Expr expr) implements Expr {

  /**
   * Checks the node.
   *
   * @param expr the inner expression
   * @throws NullPointerException if {@code expr} is null
   */
  public ParenExpr {
    requireNonNull(expr, "expr is null");
  }

  /**
   * Parentheses around another expression.
   *
   * @param newExpr the inner expression
   * @return a new node
   */
  public ParenExpr withExpr(Expr newExpr) {
    return new ParenExpr(newExpr);
  }

  @Override
  public ValueType type() {
    return expr.type();
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.visitParenExpr(this);
  }
}
