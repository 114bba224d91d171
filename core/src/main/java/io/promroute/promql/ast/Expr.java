package io.promroute.promql.ast;

/**
 * A PromQL expression: an immutable tree node with value equality.
 *
 * <p>Source positions are not part of a node, so a parsed tree equals a hand-built one. Every node
 * type is a record; {@link ExprVisitor} has one method per node type, so adding a node breaks every
 * visitor at compile time.
 */
public sealed interface Expr
    permits NumberLiteral,
        StringLiteral,
        VectorSelector,
        MatrixSelector,
        SubqueryExpr,
        Call,
        AggregateExpr,
        BinaryExpr,
        UnaryExpr,
        ParenExpr {

  /**
   * The type of value this expression evaluates to, as Prometheus's type checker sees it.
   *
   * @return the value type
   */
  ValueType type();

  /**
   * Dispatches to the visitor method for this node type.
   *
   * @param <R> what the visitor returns
   * @param visitor the visitor
   * @return what the visitor's method for this node returns
   */
  <R> R accept(ExprVisitor<R> visitor);
}
