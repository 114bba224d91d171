package io.promroute.promql.ast;

/**
 * A visitor over {@link Expr}, one method per node type, so that a new node type breaks every
 * visitor at compile time.
 *
 * @param <R> what the visit returns
 */
public interface ExprVisitor<R> {

  R visitNumberLiteral(NumberLiteral node);

  R visitStringLiteral(StringLiteral node);

  R visitVectorSelector(VectorSelector node);

  R visitMatrixSelector(MatrixSelector node);

  R visitSubqueryExpr(SubqueryExpr node);

  R visitCall(Call node);

  R visitAggregateExpr(AggregateExpr node);

  R visitBinaryExpr(BinaryExpr node);

  R visitUnaryExpr(UnaryExpr node);

  R visitParenExpr(ParenExpr node);
}
