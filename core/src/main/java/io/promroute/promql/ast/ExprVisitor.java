package io.promroute.promql.ast;

/**
 * A visitor over {@link Expr}, one method per node type, so that a new node type breaks every
 * visitor at compile time.
 *
 * @param <R> what the visit returns
 */
public interface ExprVisitor<R> {

  /**
   * Visits a number.
   *
   * @param node the node
   * @return the visit's result
   */
  R visitNumberLiteral(NumberLiteral node);

  /**
   * Visits a string.
   *
   * @param node the node
   * @return the visit's result
   */
  R visitStringLiteral(StringLiteral node);

  /**
   * Visits an instant vector selector, including the one inside a {@link MatrixSelector} when the
   * matrix selector's visit delegates to it.
   *
   * @param node the node
   * @return the visit's result
   */
  R visitVectorSelector(VectorSelector node);

  /**
   * Visits a range vector selector.
   *
   * @param node the node
   * @return the visit's result
   */
  R visitMatrixSelector(MatrixSelector node);

  /**
   * Visits a subquery.
   *
   * @param node the node
   * @return the visit's result
   */
  R visitSubqueryExpr(SubqueryExpr node);

  /**
   * Visits a function call.
   *
   * @param node the node
   * @return the visit's result
   */
  R visitCall(Call node);

  /**
   * Visits an aggregation.
   *
   * @param node the node
   * @return the visit's result
   */
  R visitAggregateExpr(AggregateExpr node);

  /**
   * Visits a binary operation.
   *
   * @param node the node
   * @return the visit's result
   */
  R visitBinaryExpr(BinaryExpr node);

  /**
   * Visits a unary {@code -} or {@code +}.
   *
   * @param node the node
   * @return the visit's result
   */
  R visitUnaryExpr(UnaryExpr node);

  /**
   * Visits parentheses.
   *
   * @param node the node
   * @return the visit's result
   */
  R visitParenExpr(ParenExpr node);
}
