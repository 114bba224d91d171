package io.promroute.plan;

import io.promroute.promql.ast.AtModifier;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ExprRewriter;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.VectorSelector;

/**
 * {@code @ start()} and {@code @ end()} made numeric. They mean the original request's start and
 * end; a shard query the router sends on a subquery's own grid is a range query with other bounds,
 * where the shard would read them as that grid's start and end.
 */
final class AtStartEnd extends ExprRewriter {

  private final long startMillis;
  private final long endMillis;

  private AtStartEnd(long startMillis, long endMillis) {
    this.startMillis = startMillis;
    this.endMillis = endMillis;
  }

  /** Whether {@code expr} has an {@code @ start()} or {@code @ end()} anywhere. */
  static boolean uses(Expr expr) {
    boolean[] found = {false};
    new ExprRewriter() {
      @Override
      public Expr visitVectorSelector(VectorSelector node) {
        found[0] |= relative(node.at());
        return node;
      }

      @Override
      public Expr visitSubqueryExpr(SubqueryExpr node) {
        found[0] |= relative(node.at());
        return super.visitSubqueryExpr(node);
      }
    }.rewrite(expr);
    return found[0];
  }

  /**
   * {@code expr} with {@code @ start()} at {@code startMillis} and {@code @ end()} at {@code
   * endMillis}.
   */
  static Expr resolve(Expr expr, long startMillis, long endMillis) {
    return new AtStartEnd(startMillis, endMillis).rewrite(expr);
  }

  @Override
  public Expr visitVectorSelector(VectorSelector node) {
    return relative(node.at()) ? node.withAt(numeric(node.at())) : node;
  }

  @Override
  public Expr visitSubqueryExpr(SubqueryExpr node) {
    Expr inner = rewrite(node.expr());
    AtModifier at = relative(node.at()) ? numeric(node.at()) : node.at();
    if (inner == node.expr() && at == node.at()) {
      return node;
    }
    return new SubqueryExpr(inner, node.range(), node.step(), node.offset(), at);
  }

  private static boolean relative(AtModifier at) {
    return at != null && at.kind() != AtModifier.Kind.TIMESTAMP;
  }

  private AtModifier numeric(AtModifier at) {
    return AtModifier.at(at.kind() == AtModifier.Kind.START ? startMillis : endMillis);
  }
}
