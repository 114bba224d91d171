package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * Walks over a tree without recursion: a flat chain of operators ({@code a or b or c ...}) is a
 * left-deep tree as deep as the chain is long, 20,000 levels and more for a query Prometheus
 * accepts, which a recursive walk cannot take on a request thread's stack.
 */
public final class ExprWalk {

  private ExprWalk() {}

  /**
   * The direct children of {@code expr}, in source order (a matrix selector's selector included).
   *
   * @param expr the node
   * @return its children; empty for a leaf
   */
  public static List<Expr> children(Expr expr) {
    return requireNonNull(expr, "expr is null").accept(CHILDREN);
  }

  /**
   * Whether {@code root} or any node below it matches {@code test}; stops at the first that does.
   *
   * @param root the tree
   * @param test what to look for
   * @return whether a node of the tree matches
   */
  public static boolean anyMatch(Expr root, Predicate<? super Expr> test) {
    requireNonNull(test, "test is null");
    Deque<Expr> pending = new ArrayDeque<>();
    pending.push(requireNonNull(root, "root is null"));
    while (!pending.isEmpty()) {
      Expr next = pending.pop();
      if (test.test(next)) {
        return true;
      }
      List<Expr> children = children(next);
      for (int i = children.size() - 1; i >= 0; i--) {
        pending.push(children.get(i));
      }
    }
    return false;
  }

  private static final ExprVisitor<List<Expr>> CHILDREN =
      new ExprVisitor<>() {
        @Override
        public List<Expr> visitNumberLiteral(NumberLiteral node) {
          return List.of();
        }

        @Override
        public List<Expr> visitStringLiteral(StringLiteral node) {
          return List.of();
        }

        @Override
        public List<Expr> visitVectorSelector(VectorSelector node) {
          return List.of();
        }

        @Override
        public List<Expr> visitMatrixSelector(MatrixSelector node) {
          return List.of(node.selector());
        }

        @Override
        public List<Expr> visitSubqueryExpr(SubqueryExpr node) {
          return List.of(node.expr());
        }

        @Override
        public List<Expr> visitCall(Call node) {
          return node.args();
        }

        @Override
        public List<Expr> visitAggregateExpr(AggregateExpr node) {
          List<Expr> children = new ArrayList<>(2);
          if (node.param() != null) {
            children.add(node.param());
          }
          children.add(node.expr());
          return children;
        }

        @Override
        public List<Expr> visitBinaryExpr(BinaryExpr node) {
          return List.of(node.lhs(), node.rhs());
        }

        @Override
        public List<Expr> visitUnaryExpr(UnaryExpr node) {
          return List.of(node.expr());
        }

        @Override
        public List<Expr> visitParenExpr(ParenExpr node) {
          return List.of(node.expr());
        }
      };
}
