package io.promroute.promql.ast;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.promql.PromQL;
import org.junit.jupiter.api.Test;

class ExprWalkTest {

  @Test
  void childrenAreTheOperandsInSourceOrder() {
    AggregateExpr topk = (AggregateExpr) PromQL.parse("topk(3, rate(x[5m]) / y)");

    assertThat(ExprWalk.children(topk)).containsExactly(topk.param(), topk.expr());
    BinaryExpr ratio = (BinaryExpr) topk.expr();
    assertThat(ExprWalk.children(ratio)).containsExactly(ratio.lhs(), ratio.rhs());
    assertThat(ExprWalk.children(ratio.rhs())).isEmpty();
  }

  @Test
  void anyMatchWalksAChainOfAHundredThousandOperatorsOnASmallStack() throws InterruptedException {
    Expr chain = new NumberLiteral(1, false);
    for (int i = 0; i < 100_000; i++) {
      chain = new BinaryExpr(BinaryOp.ADD, chain, new NumberLiteral(1, false));
    }
    Expr numbers = chain;
    Expr withSelector =
        new BinaryExpr(BinaryOp.ADD, chain, new VectorSelector("x", java.util.List.of()));
    boolean[] found = new boolean[2];
    Thread small =
        new Thread(
            null,
            () -> {
              found[0] = ExprWalk.anyMatch(numbers, node -> node instanceof VectorSelector);
              found[1] = ExprWalk.anyMatch(withSelector, node -> node instanceof VectorSelector);
            },
            "small-stack",
            256 << 10);
    small.start();
    small.join();

    assertThat(found).containsExactly(false, true);
  }
}
