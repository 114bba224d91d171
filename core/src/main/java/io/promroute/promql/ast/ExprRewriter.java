package io.promroute.promql.ast;

import java.util.ArrayList;
import java.util.List;

/**
 * A rewriter that rebuilds only what changes: each method returns the same node when none of its
 * children changed, so an untouched tree comes back as the same instance.
 *
 * <p>Override the methods for the node types you change, and call {@code super} to recurse into
 * children. A {@link MatrixSelector}'s selector goes through {@link #visitVectorSelector}, which
 * must then return a {@link VectorSelector}.
 */
public abstract class ExprRewriter implements ExprVisitor<Expr> {

  /** For subclasses, which override the methods for the node types they change. */
  protected ExprRewriter() {}

  /**
   * Rewrites {@code expr}.
   *
   * @param expr the tree to rewrite
   * @return the rewritten tree, the same instance if nothing changed
   */
  public final Expr rewrite(Expr expr) {
    return expr.accept(this);
  }

  @Override
  public Expr visitNumberLiteral(NumberLiteral node) {
    return node;
  }

  @Override
  public Expr visitStringLiteral(StringLiteral node) {
    return node;
  }

  @Override
  public Expr visitVectorSelector(VectorSelector node) {
    return node;
  }

  @Override
  public Expr visitMatrixSelector(MatrixSelector node) {
    Expr selector = visitVectorSelector(node.selector());
    if (selector == node.selector()) {
      return node;
    }
    if (!(selector instanceof VectorSelector vectorSelector)) {
      throw new IllegalStateException(
          "a matrix selector's selector must stay a vector selector, got " + selector);
    }
    return new MatrixSelector(vectorSelector, node.range());
  }

  @Override
  public Expr visitSubqueryExpr(SubqueryExpr node) {
    Expr expr = rewrite(node.expr());
    return expr == node.expr() ? node : node.withExpr(expr);
  }

  @Override
  public Expr visitCall(Call node) {
    List<Expr> args = rewriteAll(node.args());
    return args == node.args() ? node : node.withArgs(args);
  }

  @Override
  public Expr visitAggregateExpr(AggregateExpr node) {
    Expr param = node.param() == null ? null : rewrite(node.param());
    Expr expr = rewrite(node.expr());
    if (param == node.param() && expr == node.expr()) {
      return node;
    }
    return new AggregateExpr(node.op(), expr, param, node.without(), node.grouping());
  }

  @Override
  public Expr visitBinaryExpr(BinaryExpr node) {
    Expr lhs = rewrite(node.lhs());
    Expr rhs = rewrite(node.rhs());
    return lhs == node.lhs() && rhs == node.rhs() ? node : node.withOperands(lhs, rhs);
  }

  @Override
  public Expr visitUnaryExpr(UnaryExpr node) {
    Expr expr = rewrite(node.expr());
    return expr == node.expr() ? node : node.withExpr(expr);
  }

  @Override
  public Expr visitParenExpr(ParenExpr node) {
    Expr expr = rewrite(node.expr());
    return expr == node.expr() ? node : node.withExpr(expr);
  }

  /**
   * Rewrites each element.
   *
   * @param exprs the expressions, e.g. a call's arguments
   * @return the same list instance when no element changed, else an immutable list of the results
   */
  protected final List<Expr> rewriteAll(List<Expr> exprs) {
    List<Expr> changed = null;
    for (int i = 0; i < exprs.size(); i++) {
      Expr original = exprs.get(i);
      Expr rewritten = rewrite(original);
      if (rewritten != original && changed == null) {
        changed = new ArrayList<>(exprs.subList(0, i));
      }
      if (changed != null) {
        changed.add(rewritten);
      }
    }
    return changed == null ? exprs : List.copyOf(changed);
  }
}
