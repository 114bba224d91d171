package io.promroute.promql;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.UnaryExpr;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomExprsTest {

  @Test
  void sameSeedGivesSameTrees() {
    RandomExprs first = RandomExprs.withAllFeatures(7);
    RandomExprs second = RandomExprs.withAllFeatures(7);
    for (int index = 0; index < 200; index++) {
      assertThat(first.next()).isEqualTo(second.next());
    }
  }

  @Test
  void treesPrintAndNeverPutASignDirectlyOnANumber() {
    RandomExprs trees = RandomExprs.withAllFeatures(11);
    Set<String> printed = new HashSet<>();
    Set<Class<?>> nodeTypes = new HashSet<>();
    for (int index = 0; index < 2000; index++) {
      Expr tree = trees.next();
      assertNoUnaryOnNumber(tree);
      nodeTypes.add(tree.getClass());
      printed.add(PromQL.print(tree));
      assertThat(PromQL.prettyPrint(tree, 20)).isNotBlank();
    }
    assertThat(printed).hasSizeGreaterThan(1500);
    // Calls appear only once the function table is filled, so they are not required here.
    assertThat(nodeTypes).hasSizeGreaterThanOrEqualTo(9);
  }

  private static void assertNoUnaryOnNumber(Expr tree) {
    new io.promroute.promql.ast.ExprRewriter() {
      @Override
      public Expr visitUnaryExpr(UnaryExpr node) {
        assertThat(node.expr()).isNotInstanceOf(NumberLiteral.class);
        return super.visitUnaryExpr(node);
      }
    }.rewrite(tree);
  }
}
