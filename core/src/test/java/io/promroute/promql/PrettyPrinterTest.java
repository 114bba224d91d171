package io.promroute.promql;

import static io.promroute.promql.PrinterTest.MINUTE;
import static io.promroute.promql.PrinterTest.binary;
import static io.promroute.promql.PrinterTest.call;
import static io.promroute.promql.PrinterTest.number;
import static io.promroute.promql.PrinterTest.range;
import static io.promroute.promql.PrinterTest.selector;
import static io.promroute.promql.PrinterTest.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.AggregateOp;
import io.promroute.promql.ast.AtModifier;
import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.BinaryOp;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.StringLiteral;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.UnaryExpr;
import io.promroute.promql.ast.VectorMatching;
import io.promroute.promql.ast.VectorSelector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected outputs from Prometheus's {@code prettier_test.go} (width 10) and {@code Pretty()}. */
class PrettyPrinterTest {

  static void assertPretty(Expr expr, int width, String expected) {
    assertThat(PromQL.prettyPrint(expr, width)).isEqualTo(expected);
  }

  private static final VectorSelector TASK =
      selector("task:errors:rate10s", LabelMatcher.equal("job", "s"));

  @Test
  void fittingExpressionIsTheSingleLineForm() {
    assertPretty(sum(selector("foo")), 10, "sum(foo)");
    assertPretty(binary(selector("a"), BinaryOp.ADD, selector("b")), 10, "a + b");
    assertThat(PromQL.prettyPrint(sum(TASK))).isEqualTo(PromQL.print(sum(TASK)));
  }

  @Test
  void aggregationSplitsItsBodyOntoIndentedLines() {
    assertPretty(sum(TASK), 10, "sum(\n  task:errors:rate10s{job=\"s\"}\n)");
    assertPretty(
        new AggregateExpr(AggregateOp.SUM, TASK, null, true, List.of("job", "foo")),
        10,
        "sum without (job, foo) (\n  task:errors:rate10s{job=\"s\"}\n)");
    assertPretty(
        new AggregateExpr(
            AggregateOp.TOPK,
            selector("ask:errors:rate10s", LabelMatcher.equal("job", "s")),
            number(10),
            false,
            List.of()),
        10,
        "topk(\n  10,\n  ask:errors:rate10s{job=\"s\"}\n)");
  }

  @Test
  void binaryExpressionPutsOperatorOnItsOwnLineAtTheParentLevel() {
    assertPretty(
        new BinaryExpr(BinaryOp.EQL, selector("a"), number(1), true, VectorMatching.DEFAULT),
        10,
        "  a\n== bool\n  1");
    assertPretty(
        binary(selector("a"), BinaryOp.ADD, selector("b"))
            .withMatching(VectorMatching.ignoring(List.of("job"))),
        10,
        "  a\n+ ignoring (job)\n  b");
    assertPretty(
        binary(
            binary(selector("foo_1"), BinaryOp.ADD, selector("foo_2")),
            BinaryOp.ADD,
            selector("foo_3")),
        10,
        "    foo_1\n  +\n    foo_2\n+\n  foo_3");
  }

  @Test
  void callSplitsOneArgumentPerLine() {
    assertPretty(
        call("histogram_quantile", number(0.9), call("rate", range(selector("foo"), MINUTE))),
        10,
        "histogram_quantile(\n  0.9,\n  rate(\n    foo[1m]\n  )\n)");
    assertPretty(
        call(
            "label_replace",
            selector(
                "up",
                LabelMatcher.equal("job", "api-server"),
                LabelMatcher.equal("service", "a:c")),
            new StringLiteral("foo"),
            new StringLiteral("$1")),
        10,
        "label_replace(\n  up{job=\"api-server\",service=\"a:c\"},\n  \"foo\",\n  \"$1\"\n)");
  }

  @Test
  void parenthesesSplitOnlyWhenTooLong() {
    assertPretty(new ParenExpr(selector("foo")), 10, "(foo)");
    assertPretty(new ParenExpr(selector("_foo_long_")), 10, "(\n  _foo_long_\n)");
    assertPretty(new ParenExpr(new ParenExpr(selector("foo_long"))), 10, "(\n  (foo_long)\n)");
  }

  @Test
  void unaryKeepsItsSignBeforeTheSplitOperand() {
    assertPretty(new UnaryExpr(true, selector("vector_selector")), 10, "-vector_selector");
    assertPretty(
        new UnaryExpr(
            true,
            call("histogram_quantile", number(0.9), call("rate", range(selector("foo"), MINUTE)))),
        10,
        "-histogram_quantile(\n  0.9,\n  rate(\n    foo[1m]\n  )\n)");
    assertPretty(
        new ParenExpr(new UnaryExpr(true, selector("vector_selector"))),
        10,
        "(\n  -vector_selector\n)");
  }

  @Test
  void splitSubqueryPrintsItsExpressionThenItsSuffix() {
    Expr inner = call("rate", range(selector("demo_api_request_duration_seconds_count"), MINUTE));
    Expr subquery =
        new SubqueryExpr(
            inner,
            PrinterTest.duration(MINUTE),
            null,
            PrinterTest.duration(MINUTE),
            AtModifier.start());
    assertPretty(
        call("max_over_time", subquery),
        10,
        "max_over_time(\n  rate(\n    demo_api_request_duration_seconds_count[1m]\n  )[1m:] @ start() offset 1m\n)");
  }

  @Test
  void fittingSubqueryIsNotIndentedAsInPrometheus() {
    Expr subquery = new SubqueryExpr(selector("x"), PrinterTest.duration(MINUTE), null, null, null);
    assertPretty(call("rate", subquery), 10, "rate(\nx[1m:]\n)");
  }

  @Test
  void widthCountsUtf8BytesAsGoDoes() {
    // 11 characters but 13 bytes: Prometheus splits it at width 12.
    Expr expr = new ParenExpr(selector(null, LabelMatcher.equal("ü", "ö")));
    assertThat(PromQL.print(expr)).hasSize(11);
    assertPretty(expr, 12, "(\n  {\"ü\"=\"ö\"}\n)");
  }

  @Test
  void prettyPrintRejectsNonPositiveWidth() {
    assertThatThrownBy(() -> PromQL.prettyPrint(selector("a"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxCharactersPerLine");
  }
}
