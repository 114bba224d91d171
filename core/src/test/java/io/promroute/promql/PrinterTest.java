package io.promroute.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.AggregateOp;
import io.promroute.promql.ast.AtModifier;
import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.BinaryOp;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.DurationBinary;
import io.promroute.promql.ast.DurationCall;
import io.promroute.promql.ast.DurationExpr;
import io.promroute.promql.ast.DurationLiteral;
import io.promroute.promql.ast.DurationNegation;
import io.promroute.promql.ast.DurationParen;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.FillModifier;
import io.promroute.promql.ast.Function;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.MatchOp;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.RangeSmoothing;
import io.promroute.promql.ast.StringLiteral;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.UnaryExpr;
import io.promroute.promql.ast.ValueType;
import io.promroute.promql.ast.VectorMatching;
import io.promroute.promql.ast.VectorSelector;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-built trees, so the printer is tested without the parser. Expected strings come from
 * Prometheus's printer tests ({@code printer_test.go}) or follow {@code printer.go} directly.
 */
class PrinterTest {

  static final long SECOND = 1000;
  static final long MINUTE = 60 * SECOND;
  static final long HOUR = 60 * MINUTE;

  // Until the parser's function table lands, calls are built from hand-written signatures.
  static Function function(String name, ValueType... argTypes) {
    return new Function(name, List.of(argTypes), 0, ValueType.INSTANT_VECTOR, false, false);
  }

  static Call call(String name, Expr... args) {
    return new Call(function(name), List.of(args));
  }

  static VectorSelector selector(String name, LabelMatcher... matchers) {
    return new VectorSelector(name, List.of(matchers));
  }

  static LabelMatcher matcher(String name, MatchOp op, String value) {
    return new LabelMatcher(name, op, value);
  }

  static DurationLiteral duration(long millis) {
    return DurationLiteral.ofMillis(millis);
  }

  static MatrixSelector range(VectorSelector selector, long millis) {
    return new MatrixSelector(selector, duration(millis));
  }

  static NumberLiteral number(double value) {
    return new NumberLiteral(value);
  }

  static BinaryExpr binary(Expr lhs, BinaryOp op, Expr rhs) {
    return new BinaryExpr(op, lhs, rhs);
  }

  static AggregateExpr sum(Expr expr) {
    return new AggregateExpr(AggregateOp.SUM, expr, null, false, List.of());
  }

  static void assertPrints(Expr expr, String expected) {
    assertThat(PromQL.print(expr)).isEqualTo(expected);
  }

  @Test
  void emptySelectorPrintsBracesSoThatItParsesAgain() {
    Expr expr = PromQL.parse("info(rate(x[5m]), {})", ParserOptions.allFeatures());
    assertThat(PromQL.print(expr)).isEqualTo("info(rate(x[5m]), {})");
    assertThat(PromQL.parse(PromQL.print(expr), ParserOptions.allFeatures())).isEqualTo(expr);
  }

  @Test
  void numbersPrintWithoutExponent() {
    assertPrints(number(1048576), "1048576");
    assertPrints(number(-493), "-493");
    assertPrints(number(0.0055), "0.0055");
    assertPrints(number(Double.POSITIVE_INFINITY), "+Inf");
    assertPrints(number(Double.NaN), "NaN");
  }

  @Test
  void numberWrittenAsDurationPrintsAsDuration() {
    assertPrints(new NumberLiteral(3600, true), "1h");
    assertPrints(new NumberLiteral(-300, true), "-5m");
    assertPrints(new NumberLiteral(1.5, true), "1s500ms");
    assertPrints(binary(call("time"), BinaryOp.SUB, new NumberLiteral(3600, true)), "time() - 1h");
  }

  @Test
  void stringsPrintWithGoQuoting() {
    assertPrints(new StringLiteral("a\"b\n"), "\"a\\\"b\\n\"");
    assertPrints(new StringLiteral("üüü"), "\"üüü\"");
  }

  @Test
  void selectorSortsMatchersByPrintedFormWithoutSpaces() {
    assertPrints(
        selector(
            "up",
            matcher("job", MatchOp.EQUAL, "node"),
            matcher("fstype", MatchOp.NOT_EQUAL, ""),
            matcher("a", MatchOp.REGEX, "x|y"),
            matcher("a", MatchOp.NOT_REGEX, "z")),
        "up{a!~\"z\",a=~\"x|y\",fstype!=\"\",job=\"node\"}");
  }

  @Test
  void selectorWithoutMatchersPrintsOnlyTheName() {
    assertPrints(selector("up"), "up");
    assertPrints(selector("task:errors:rate10s"), "task:errors:rate10s");
  }

  @Test
  void nameMatcherPrintsInsideBracesWhenThereIsNoName() {
    assertPrints(selector(null, LabelMatcher.equal("__name__", "a")), "{__name__=\"a\"}");
    assertPrints(selector(null, LabelMatcher.equal("__name__", "a.b")), "{__name__=\"a.b\"}");
    assertPrints(
        selector(null, LabelMatcher.equal("__name__", ""), LabelMatcher.equal("a", "x")),
        "{__name__=\"\",a=\"x\"}");
  }

  @Test
  void nameMatcherEqualToTheNameIsNotRepeated() {
    assertPrints(
        selector("foo", LabelMatcher.equal("__name__", "foo"), LabelMatcher.equal("a", "b")),
        "foo{a=\"b\"}");
  }

  @Test
  void nonLegacyLabelNamesAreQuoted() {
    assertPrints(selector(null, LabelMatcher.equal("a.b", "c")), "{\"a.b\"=\"c\"}");
    assertPrints(selector(null, LabelMatcher.equal("0", "1")), "{\"0\"=\"1\"}");
    assertPrints(selector(null, LabelMatcher.equal("_0", "1")), "{_0=\"1\"}");
    assertPrints(selector(null, LabelMatcher.equal("", "0")), "{\"\"=\"0\"}");
  }

  @Test
  void vectorSelectorModifiersPrintAtThenSmoothingThenOffset() {
    VectorSelector selector =
        new VectorSelector(
            "a", List.of(), duration(-7 * MINUTE), AtModifier.at(10_000), RangeSmoothing.ANCHORED);
    assertPrints(selector, "a @ 10.000 anchored offset -7m");
    assertPrints(selector("a").withAt(AtModifier.start()), "a @ start()");
    assertPrints(selector("a").withAt(AtModifier.end()), "a @ end()");
    assertPrints(selector("a").withOffset(duration(MINUTE)), "a offset 1m");
    assertPrints(
        new VectorSelector("a", List.of(), null, null, RangeSmoothing.SMOOTHED), "a smoothed");
  }

  @Test
  void zeroLiteralOffsetPrintsNothingAsInPrometheus() {
    assertPrints(selector("a").withOffset(duration(0)), "a");
  }

  @Test
  void matrixSelectorModifiersPrintAfterTheRange() {
    VectorSelector inner =
        new VectorSelector(
            "a",
            List.of(LabelMatcher.equal("b", "c")),
            duration(MINUTE),
            AtModifier.start(),
            RangeSmoothing.ANCHORED);
    assertPrints(
        new MatrixSelector(inner, duration(5 * MINUTE)),
        "a{b=\"c\"}[5m] anchored @ start() offset 1m");
    assertPrints(range(selector("a", LabelMatcher.equal("b", "c")), 5 * MINUTE), "a{b=\"c\"}[5m]");
    assertPrints(
        new MatrixSelector(selector("a").withOffset(duration(-3 * MINUTE)), duration(12 * MINUTE)),
        "a[12m] offset -3m");
    assertPrints(
        new MatrixSelector(selector("a").withAt(AtModifier.at(10_000)), duration(MINUTE)),
        "a[1m] @ 10.000");
  }

  @Test
  void subqueryPrintsRangeStepAtAndOffset() {
    assertPrints(
        new SubqueryExpr(
            selector("a"), duration(HOUR), duration(5 * MINUTE), duration(MINUTE), null),
        "a[1h:5m] offset 1m");
    assertPrints(
        new SubqueryExpr(
            call("rate", range(selector("x"), MINUTE)),
            duration(10 * MINUTE),
            null,
            duration(MINUTE),
            AtModifier.start()),
        "rate(x[1m])[10m:] @ start() offset 1m");
  }

  @Test
  void durationExpressionsKeepParenthesesAndSpaceOperators() {
    DurationCall step = new DurationCall(DurationCall.Function.STEP, List.of());
    DurationCall rangeCall = new DurationCall(DurationCall.Function.RANGE, List.of());
    assertPrints(new MatrixSelector(selector("foo"), step), "foo[step()]");
    assertPrints(new MatrixSelector(selector("foo"), new DurationNegation(step)), "foo[-step()]");
    assertPrints(
        new MatrixSelector(selector("foo"), new DurationNegation(new DurationParen(step))),
        "foo[-(step())]");
    assertPrints(
        selector("foo")
            .withOffset(
                new DurationParen(
                    new DurationBinary(BinaryOp.MUL, numberDuration(5), numberDuration(2)))),
        "foo offset (5 * 2)");
    DurationExpr minOf =
        new DurationCall(
            DurationCall.Function.MIN_OF,
            List.of(
                new DurationBinary(BinaryOp.POW, new DurationNegation(step), step),
                numberDuration(1)));
    assertPrints(
        new MatrixSelector(
            selector("foo"), new DurationBinary(BinaryOp.SUB, numberDuration(200), minOf)),
        "foo[200 - min_of(-step() ^ step(), 1)]");
    assertPrints(
        new MatrixSelector(
            selector("foo"),
            new DurationCall(
                DurationCall.Function.MAX_OF, List.of(rangeCall, duration(5 * SECOND)))),
        "foo[max_of(range(), 5s)]");
  }

  private static DurationLiteral numberDuration(long seconds) {
    return new DurationLiteral(seconds * SECOND, true);
  }

  @Test
  void aggregationPrintsGroupingFirst() {
    VectorSelector inner = selector("task:errors:rate10s", LabelMatcher.equal("job", "s"));
    assertPrints(sum(inner), "sum(task:errors:rate10s{job=\"s\"})");
    assertPrints(
        new AggregateExpr(AggregateOp.SUM, inner, null, false, List.of("code")),
        "sum by (code) (task:errors:rate10s{job=\"s\"})");
    assertPrints(
        new AggregateExpr(AggregateOp.SUM, inner, null, true, List.of()),
        "sum without () (task:errors:rate10s{job=\"s\"})");
    assertPrints(
        new AggregateExpr(AggregateOp.SUM, inner, null, true, List.of("instance", "foo.bar")),
        "sum without (instance, \"foo.bar\") (task:errors:rate10s{job=\"s\"})");
    assertPrints(
        new AggregateExpr(AggregateOp.TOPK, inner, number(5), false, List.of()),
        "topk(5, task:errors:rate10s{job=\"s\"})");
    assertPrints(
        new AggregateExpr(
            AggregateOp.COUNT_VALUES, inner, new StringLiteral("value"), false, List.of("a")),
        "count_values by (a) (\"value\", task:errors:rate10s{job=\"s\"})");
  }

  @Test
  void binaryMatchingPrintsAsPrometheus() {
    VectorSelector a = selector("a");
    VectorSelector c = selector("c");
    assertPrints(binary(a, BinaryOp.SUB, c), "a - c");
    assertPrints(
        binary(a, BinaryOp.SUB, c).withMatching(VectorMatching.on(List.of())), "a - on () c");
    assertPrints(
        binary(a, BinaryOp.SUB, c).withMatching(VectorMatching.ignoring(List.of())), "a - c");
    assertPrints(
        binary(a, BinaryOp.SUB, c).withMatching(VectorMatching.ignoring(List.of("b"))),
        "a - ignoring (b) c");
    assertPrints(
        binary(a, BinaryOp.SUB, c)
            .withMatching(
                VectorMatching.on(List.of("b"))
                    .withGroup(VectorMatching.Cardinality.MANY_TO_ONE, List.of("x", "y"))),
        "a - on (b) group_left (x, y) c");
    assertPrints(
        binary(a, BinaryOp.SUB, c)
            .withMatching(
                VectorMatching.ignoring(List.of())
                    .withGroup(VectorMatching.Cardinality.MANY_TO_ONE, List.of())),
        "a - ignoring () group_left () c");
    assertPrints(
        binary(a, BinaryOp.DIV, c)
            .withMatching(
                VectorMatching.on(List.of("äää"))
                    .withGroup(VectorMatching.Cardinality.ONE_TO_MANY, List.of("ööö"))),
        "a / on (\"äää\") group_right (\"ööö\") c");
  }

  @Test
  void comparisonWithBoolPrintsBoolAfterOperator() {
    assertPrints(
        new BinaryExpr(BinaryOp.GTR, selector("up"), number(0), true, VectorMatching.DEFAULT),
        "up > bool 0");
    assertPrints(binary(selector("a"), BinaryOp.TRIM_UPPER, number(1)), "a </ 1");
  }

  @Test
  void fillModifiersFoldEqualSidesAndUseGoDefaultFloatFormat() {
    BinaryExpr plus = binary(selector("a"), BinaryOp.ADD, selector("b"));
    assertPrints(
        plus.withMatching(
            VectorMatching.DEFAULT.withFill(new FillModifier(number(-23), number(-23)))),
        "a + fill (-23) b");
    assertPrints(
        plus.withMatching(VectorMatching.DEFAULT.withFill(new FillModifier(number(-23), null))),
        "a + fill_left (-23) b");
    assertPrints(
        plus.withMatching(VectorMatching.DEFAULT.withFill(new FillModifier(null, number(42)))),
        "a + fill_right (42) b");
    assertPrints(
        plus.withMatching(
            VectorMatching.DEFAULT.withFill(new FillModifier(number(-23), number(42)))),
        "a + fill_left (-23) fill_right (42) b");
    assertPrints(
        plus.withMatching(
            VectorMatching.on(List.of("b"))
                .withGroup(VectorMatching.Cardinality.MANY_TO_ONE, List.of())
                .withFill(new FillModifier(number(-23), number(-23)))),
        "a + on (b) group_left () fill (-23) b");
    assertPrints(
        plus.withMatching(
            VectorMatching.DEFAULT.withFill(
                new FillModifier(new NumberLiteral(1e6), new NumberLiteral(1e6)))),
        "a + fill (1e+06) b");
  }

  @Test
  void unaryParenAndCallPrintWithoutExtraSpaces() {
    assertPrints(new UnaryExpr(true, selector("foo")), "-foo");
    assertPrints(new UnaryExpr(false, selector("foo")), "+foo");
    assertPrints(new ParenExpr(binary(number(1), BinaryOp.ADD, number(2))), "(1 + 2)");
    assertPrints(
        call(
            "label_replace",
            selector("up"),
            new StringLiteral("foo"),
            new StringLiteral("$1"),
            new StringLiteral("service"),
            new StringLiteral("(.*):.*")),
        "label_replace(up, \"foo\", \"$1\", \"service\", \"(.*):.*\")");
    assertPrints(call("time"), "time()");
  }

  @Test
  void longLeftDeepOperatorChainPrintsWithoutDeepRecursion() {
    Expr chain = selector("a");
    for (int index = 0; index < 100_000; index++) {
      chain = binary(chain, BinaryOp.OR, selector("b"));
    }
    String printed = PromQL.print(chain);
    assertThat(printed).startsWith("a or b or b").endsWith(" or b").hasSize(1 + 100_000 * 5);
  }

  @Test
  void treeDeeperThanTheCallersStackIsPrintedOnALargeOne() {
    Expr nested = selector("a");
    for (int index = 0; index < 200_000; index++) {
      nested = new ParenExpr(nested);
    }
    Expr tree = nested;

    String expected = "(".repeat(200_000) + PromQL.print(selector("a")) + ")".repeat(200_000);
    // Compared as booleans: a failure message with two 400 KB strings would not help.
    assertThat(PromQL.print(tree).equals(expected)).as("the printed form is the tree").isTrue();
  }

  @Test
  void printRejectsNull() {
    assertThatThrownBy(() -> PromQL.print(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("expr is null");
  }
}
