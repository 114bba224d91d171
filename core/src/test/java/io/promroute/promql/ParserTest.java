package io.promroute.promql;

import static io.promroute.promql.ast.LabelMatcher.equal;
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
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.MatchOp;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.RangeSmoothing;
import io.promroute.promql.ast.StringLiteral;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.UnaryExpr;
import io.promroute.promql.ast.VectorMatching;
import io.promroute.promql.ast.VectorMatching.Cardinality;
import io.promroute.promql.ast.VectorSelector;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the parser builds, construct by construct, compared with hand-built trees. */
class ParserTest {

  private static Expr parse(String query) {
    return PromQL.parse(query, ParserOptions.allFeatures());
  }

  private static VectorSelector selector(String name, LabelMatcher... matchers) {
    return new VectorSelector(name, List.of(matchers));
  }

  private static DurationLiteral minutes(long minutes) {
    return DurationLiteral.ofSeconds(minutes * 60);
  }

  @Nested
  class Selectors {

    @Test
    void metricNameAlone() {
      assertThat(parse("http_requests_total")).isEqualTo(selector("http_requests_total"));
    }

    @Test
    void matchersKeepTheirWrittenOrderAndOperators() {
      assertThat(parse("foo{job=\"api\", env!=\"dev\", path=~\"/a.*\", code!~\"5..\",}"))
          .isEqualTo(
              selector(
                  "foo",
                  equal("job", "api"),
                  new LabelMatcher("env", MatchOp.NOT_EQUAL, "dev"),
                  new LabelMatcher("path", MatchOp.REGEX, "/a.*"),
                  new LabelMatcher("code", MatchOp.NOT_REGEX, "5..")));
    }

    @Test
    void emptyBracesAfterANameAreNoMatchers() {
      assertThat(parse("foo{}")).isEqualTo(selector("foo"));
    }

    @Test
    void nameMatcherWithoutMetricNameStaysAMatcher() {
      assertThat(parse("{__name__=\"foo\"}")).isEqualTo(selector(null, equal("__name__", "foo")));
    }

    @Test
    void quotedBareNameIsANameMatcherAndQuotedLabelNamesAreAllowed() {
      assertThat(parse("{\"my.metric\", \"label.with.dots\"='v'}"))
          .isEqualTo(selector(null, equal("__name__", "my.metric"), equal("label.with.dots", "v")));
    }

    @Test
    void metricNamesMayContainColons() {
      assertThat(parse("job:request_rate:5m")).isEqualTo(selector("job:request_rate:5m"));
    }

    @Test
    void keywordsAreMetricAndLabelNames() {
      assertThat(parse("sum{by=\"x\", on=\"y\", bool=\"z\", offset=\"w\"}"))
          .isEqualTo(
              selector(
                  "sum",
                  equal("by", "x"),
                  equal("on", "y"),
                  equal("bool", "z"),
                  equal("offset", "w")));
      assertThat(parse("offset")).isEqualTo(selector("offset"));
      assertThat(parse("and")).isEqualTo(selector("and"));
    }

    @Test
    void fillIsAKeywordOnlyBeforeAParenthesis() {
      assertThat(parse("fill + fill_left"))
          .isEqualTo(new BinaryExpr(BinaryOp.ADD, selector("fill"), selector("fill_left")));
    }

    @Test
    void matrixSelectorHoldsItsRange() {
      assertThat(parse("foo[5m]")).isEqualTo(new MatrixSelector(selector("foo"), minutes(5)));
    }

    @Test
    void numberRangeIsSecondsAndEqualsTheDuration() {
      assertThat(parse("foo[300]")).isEqualTo(parse("foo[5m]"));
      assertThat(parse("foo[4.18]"))
          .isEqualTo(new MatrixSelector(selector("foo"), DurationLiteral.ofMillis(4180)));
    }

    @Test
    void compoundDurations() {
      assertThat(parse("foo[1h30m]")).isEqualTo(new MatrixSelector(selector("foo"), minutes(90)));
      assertThat(parse("foo[1y2w3d4h5m6s7ms]"))
          .isEqualTo(
              new MatrixSelector(
                  selector("foo"),
                  DurationLiteral.ofMillis(
                      ((((365L + 14 + 3) * 24 + 4) * 60 + 5) * 60 + 6) * 1000 + 7)));
    }

    @Test
    void offsetAndAtLiveOnTheSelector() {
      assertThat(parse("foo offset 5m @ 10"))
          .isEqualTo(
              new VectorSelector(
                  "foo", List.of(), minutes(5), AtModifier.at(10_000), RangeSmoothing.NONE));
      assertThat(parse("foo @ 10 offset 5m")).isEqualTo(parse("foo offset 5m @ 10"));
    }

    @Test
    void negativeOffset() {
      assertThat(((VectorSelector) parse("foo offset -5m")).offset())
          .isEqualTo(DurationLiteral.ofMillis(-300_000));
    }

    @Test
    void offsetWrittenAsANumberIsADuration() {
      assertThat(((VectorSelector) parse("foo offset 60")).offset()).isEqualTo(minutes(1));
    }

    @Test
    void modifiersAfterARangeLiveOnTheInnerSelector() {
      assertThat(parse("foo[5m] @ end() offset 1m"))
          .isEqualTo(
              new MatrixSelector(
                  new VectorSelector(
                      "foo", List.of(), minutes(1), AtModifier.end(), RangeSmoothing.NONE),
                  minutes(5)));
    }

    @Test
    void atStartAndDurationTimestamps() {
      assertThat(((VectorSelector) parse("foo @ start()")).at()).isEqualTo(AtModifier.start());
      assertThat(((VectorSelector) parse("foo @ 1m")).at()).isEqualTo(AtModifier.at(60_000));
      assertThat(((VectorSelector) parse("foo @ -1.5")).at()).isEqualTo(AtModifier.at(-1_500));
    }

    @Test
    void anchoredAndSmoothed() {
      assertThat(parse("foo[5m] anchored"))
          .isEqualTo(
              new MatrixSelector(
                  new VectorSelector("foo", List.of(), null, null, RangeSmoothing.ANCHORED),
                  minutes(5)));
      assertThat(((VectorSelector) parse("foo smoothed")).smoothing())
          .isEqualTo(RangeSmoothing.SMOOTHED);
    }

    @Test
    void seriesSelector() {
      assertThat(PromQL.parseSelector("up{job=~\"a|b\"}"))
          .isEqualTo(selector("up", new LabelMatcher("job", MatchOp.REGEX, "a|b")));
    }

    @Test
    void seriesSelectorIsOnlyParsedAsPrometheusParseMetricSelectorDoes() {
      assertThat(PromQL.parseSelector("{}").matchers()).isEmpty();
      assertThat(PromQL.parseSelector("up{__name__=\"x\"}").matchers())
          .containsExactly(new LabelMatcher("__name__", MatchOp.EQUAL, "x"));
      assertThatThrownBy(() -> PromQL.parseSelector("up[5m]"))
          .isInstanceOf(PromQLParseException.class);
    }

    @Test
    void emptySeriesSelectorIsAnUnexpectedEndOfInputAsInParseMetricSelector() {
      assertThatThrownBy(() -> PromQL.parseSelector(""))
          .isInstanceOf(PromQLParseException.class)
          .hasMessage("1:1: parse error: unexpected end of input");
      assertThatThrownBy(() -> PromQL.parse(""))
          .isInstanceOf(PromQLParseException.class)
          .hasMessage("1:1: parse error: no expression found in input");
    }

    @Test
    void nonEmptyMatcherIsANameOrAMatcherThatRejectsTheEmptyValue() {
      assertThat(PromQL.hasNonEmptyMatcher(PromQL.parseSelector("up"))).isTrue();
      assertThat(PromQL.hasNonEmptyMatcher(PromQL.parseSelector("{job=\"\"}"))).isFalse();
      assertThat(PromQL.hasNonEmptyMatcher(PromQL.parseSelector("{job=~\"x|\"}"))).isFalse();
      assertThat(PromQL.hasNonEmptyMatcher(PromQL.parseSelector("{job=~\"x|\",a!=\"\"}"))).isTrue();
      assertThat(PromQL.hasNonEmptyMatcher(PromQL.parseSelector("{job!~\".+\"}"))).isFalse();
    }
  }

  @Nested
  class Subqueries {

    @Test
    void rangeAndStep() {
      assertThat(parse("rate(foo[5m])[30m:1m]"))
          .isEqualTo(
              new SubqueryExpr(
                  Call.of("rate", new MatrixSelector(selector("foo"), minutes(5))),
                  minutes(30),
                  minutes(1),
                  null,
                  null));
    }

    @Test
    void defaultStep() {
      assertThat(parse("foo[30m:]"))
          .isEqualTo(new SubqueryExpr(selector("foo"), minutes(30), null, null, null));
    }

    @Test
    void modifiersAfterASubquery() {
      assertThat(parse("(foo + bar)[5m:] offset 1m @ 100"))
          .isEqualTo(
              new SubqueryExpr(
                  new ParenExpr(new BinaryExpr(BinaryOp.ADD, selector("foo"), selector("bar"))),
                  minutes(5),
                  null,
                  minutes(1),
                  AtModifier.at(100_000)));
    }
  }

  @Nested
  class DurationExpressions {

    @Test
    void arithmeticInARange() {
      assertThat(parse("foo[5m + 1m]"))
          .isEqualTo(
              new MatrixSelector(
                  selector("foo"), new DurationBinary(BinaryOp.ADD, minutes(5), minutes(1))));
    }

    @Test
    void numbersInsideAnExpressionKeepPrintingAsNumbers() {
      DurationExpr expected =
          new DurationBinary(
              BinaryOp.SUB,
              new DurationLiteral(200_000, true),
              new DurationCall(
                  DurationCall.Function.MIN_OF,
                  List.of(
                      new DurationCall(DurationCall.Function.STEP, List.of()),
                      new DurationLiteral(1_000, true))));
      assertThat(parse("foo[200 - min_of(step(), 1)]"))
          .isEqualTo(new MatrixSelector(selector("foo"), expected));
    }

    @Test
    void parenthesisedOffset() {
      assertThat(((VectorSelector) parse("foo offset (5m * 2)")).offset())
          .isEqualTo(
              new DurationParen(
                  new DurationBinary(BinaryOp.MUL, minutes(5), new DurationLiteral(2_000, true))));
    }

    @Test
    void parenthesisedLiteralIsJustTheLiteral() {
      assertThat(parse("foo[(5m)]")).isEqualTo(parse("foo[5m]"));
    }

    @Test
    void negatedCall() {
      assertThat(((VectorSelector) parse("foo offset -step()")).offset())
          .isEqualTo(new DurationNegation(new DurationCall(DurationCall.Function.STEP, List.of())));
    }

    @Test
    void arithmeticAfterAnOffsetBelongsToTheOuterExpression() {
      assertThat(parse("foo offset 5m + 1m"))
          .isEqualTo(
              new BinaryExpr(
                  BinaryOp.ADD,
                  new VectorSelector("foo", List.of(), minutes(5), null, RangeSmoothing.NONE),
                  new NumberLiteral(60, true)));
      assertThat(parse("foo offset -2^2"))
          .isEqualTo(
              new BinaryExpr(
                  BinaryOp.POW,
                  new VectorSelector(
                      "foo", List.of(), DurationLiteral.ofSeconds(-2), null, RangeSmoothing.NONE),
                  new NumberLiteral(2)));
    }

    @Test
    void signsAndParenthesesInDurationsGroupAsInPrometheus() {
      DurationExpr power =
          new DurationBinary(
              BinaryOp.POW, new DurationLiteral(1_000, true), new DurationLiteral(2_000, true));
      assertThat(((VectorSelector) parse("foo offset (-1^2)")).offset())
          .isEqualTo(new DurationParen(new DurationNegation(power)));
      assertThat(((VectorSelector) parse("foo offset -(1^2)")).offset())
          .isEqualTo(new DurationNegation(new DurationParen(power)));
      assertThat(((VectorSelector) parse("foo offset -(5)")).offset())
          .isEqualTo(DurationLiteral.ofSeconds(-5));
      assertThat(((MatrixSelector) parse("foo[-2^2]")).range())
          .isEqualTo(
              new DurationNegation(
                  new DurationBinary(
                      BinaryOp.POW,
                      new DurationLiteral(2_000, true),
                      new DurationLiteral(2_000, true))));
      assertThat(((MatrixSelector) parse("foo[11s+10s-5*2^2]")).range())
          .isEqualTo(
              new DurationBinary(
                  BinaryOp.SUB,
                  new DurationBinary(
                      BinaryOp.ADD, DurationLiteral.ofSeconds(11), DurationLiteral.ofSeconds(10)),
                  new DurationBinary(
                      BinaryOp.MUL,
                      new DurationLiteral(5_000, true),
                      new DurationBinary(
                          BinaryOp.POW,
                          new DurationLiteral(2_000, true),
                          new DurationLiteral(2_000, true)))));
    }

    @Test
    void subqueryStepExpression() {
      assertThat(parse("foo[10m:step() * 2]"))
          .isEqualTo(
              new SubqueryExpr(
                  selector("foo"),
                  minutes(10),
                  new DurationBinary(
                      BinaryOp.MUL,
                      new DurationCall(DurationCall.Function.STEP, List.of()),
                      new DurationLiteral(2_000, true)),
                  null,
                  null));
    }
  }

  @Nested
  class CallsAndAggregations {

    @Test
    void functionCall() {
      assertThat(parse("histogram_quantile(0.9, rate(foo[5m]))"))
          .isEqualTo(
              Call.of(
                  "histogram_quantile",
                  new NumberLiteral(0.9),
                  Call.of("rate", new MatrixSelector(selector("foo"), minutes(5)))));
    }

    @Test
    void variadicAndZeroArgumentCalls() {
      assertThat(parse("time()")).isEqualTo(Call.of("time"));
      assertThat(parse("round(foo, 5)"))
          .isEqualTo(Call.of("round", selector("foo"), new NumberLiteral(5)));
      assertThat(parse("label_join(foo, \"d\", \",\", \"a\", \"b\")"))
          .isEqualTo(
              Call.of(
                  "label_join",
                  selector("foo"),
                  new StringLiteral("d"),
                  new StringLiteral(","),
                  new StringLiteral("a"),
                  new StringLiteral("b")));
    }

    @Test
    void groupingBeforeOrAfterTheBodyIsTheSame() {
      AggregateExpr expected =
          new AggregateExpr(AggregateOp.SUM, selector("foo"), null, false, List.of("job", "env"));
      assertThat(parse("sum by (job, env) (foo)")).isEqualTo(expected);
      assertThat(parse("sum(foo) by (job, env,)")).isEqualTo(expected);
    }

    @Test
    void emptyByIsNoGroupingButEmptyWithoutIsKept() {
      assertThat(parse("sum by () (foo)"))
          .isEqualTo(new AggregateExpr(AggregateOp.SUM, selector("foo"), null, false, List.of()));
      assertThat(parse("sum without () (foo)"))
          .isEqualTo(new AggregateExpr(AggregateOp.SUM, selector("foo"), null, true, List.of()));
    }

    @Test
    void parameterisedAggregations() {
      assertThat(parse("topk(5, foo)"))
          .isEqualTo(
              new AggregateExpr(
                  AggregateOp.TOPK, selector("foo"), new NumberLiteral(5), false, List.of()));
      assertThat(parse("count_values without (a) (\"value\", foo)"))
          .isEqualTo(
              new AggregateExpr(
                  AggregateOp.COUNT_VALUES,
                  selector("foo"),
                  new StringLiteral("value"),
                  true,
                  List.of("a")));
      assertThat(parse("quantile(0.9, foo)"))
          .isEqualTo(
              new AggregateExpr(
                  AggregateOp.QUANTILE, selector("foo"), new NumberLiteral(0.9), false, List.of()));
      assertThat(parse("limitk(2, foo)"))
          .isEqualTo(
              new AggregateExpr(
                  AggregateOp.LIMITK, selector("foo"), new NumberLiteral(2), false, List.of()));
      assertThat(parse("limit_ratio(0.5, foo)"))
          .isEqualTo(
              new AggregateExpr(
                  AggregateOp.LIMIT_RATIO,
                  selector("foo"),
                  new NumberLiteral(0.5),
                  false,
                  List.of()));
    }

    @Test
    void groupingLabelsMayBeKeywordsOrQuoted() {
      assertThat(parse("sum by (on, offset, \"a.b\", a:b) (foo)"))
          .isEqualTo(
              new AggregateExpr(
                  AggregateOp.SUM,
                  selector("foo"),
                  null,
                  false,
                  List.of("on", "offset", "a.b", "a:b")));
    }

    @Test
    void keywordsAreCaseInsensitive() {
      assertThat(parse("SUM BY (job) (foo OFFSET 5m)"))
          .isEqualTo(parse("sum by (job) (foo offset 5m)"));
      assertThat(parse("foo AND bar")).isEqualTo(parse("foo and bar"));
    }
  }

  @Nested
  class Operators {

    @Test
    void multiplicationBindsTighterThanAddition() {
      assertThat(parse("a + b * c"))
          .isEqualTo(
              new BinaryExpr(
                  BinaryOp.ADD,
                  selector("a"),
                  new BinaryExpr(BinaryOp.MUL, selector("b"), selector("c"))));
    }

    @Test
    void subtractionIsLeftAssociative() {
      assertThat(parse("a - b - c"))
          .isEqualTo(
              new BinaryExpr(
                  BinaryOp.SUB,
                  new BinaryExpr(BinaryOp.SUB, selector("a"), selector("b")),
                  selector("c")));
    }

    @Test
    void powerIsRightAssociative() {
      assertThat(parse("a ^ b ^ c"))
          .isEqualTo(
              new BinaryExpr(
                  BinaryOp.POW,
                  selector("a"),
                  new BinaryExpr(BinaryOp.POW, selector("b"), selector("c"))));
    }

    @Test
    void unaryMinusBindsLooserThanPowerAndAsTightAsMultiplication() {
      assertThat(parse("-a ^ b"))
          .isEqualTo(
              new UnaryExpr(true, new BinaryExpr(BinaryOp.POW, selector("a"), selector("b"))));
      assertThat(parse("-a * b"))
          .isEqualTo(
              new BinaryExpr(BinaryOp.MUL, new UnaryExpr(true, selector("a")), selector("b")));
      assertThat(parse("2 ^ -1"))
          .isEqualTo(new BinaryExpr(BinaryOp.POW, new NumberLiteral(2), new NumberLiteral(-1)));
    }

    @Test
    void precedenceOfComparisonAndSetOperators() {
      assertThat(parse("a or b and c > d"))
          .isEqualTo(
              new BinaryExpr(
                  BinaryOp.OR,
                  selector("a"),
                  new BinaryExpr(
                      BinaryOp.AND,
                      selector("b"),
                      new BinaryExpr(BinaryOp.GTR, selector("c"), selector("d")))));
    }

    @Test
    void postfixModifiersBindTighterThanOperators() {
      assertThat(parse("a ^ b offset 5m"))
          .isEqualTo(
              new BinaryExpr(
                  BinaryOp.POW,
                  selector("a"),
                  new VectorSelector("b", List.of(), minutes(5), null, RangeSmoothing.NONE)));
      assertThat(parse("-foo offset 5m"))
          .isEqualTo(
              new UnaryExpr(
                  true,
                  new VectorSelector("foo", List.of(), minutes(5), null, RangeSmoothing.NONE)));
    }

    @Test
    void signsFollowPrometheusPrecedence() {
      assertThat(parse("-1^2"))
          .isEqualTo(
              new UnaryExpr(
                  true, new BinaryExpr(BinaryOp.POW, new NumberLiteral(1), new NumberLiteral(2))));
      assertThat(parse("-1*2"))
          .isEqualTo(new BinaryExpr(BinaryOp.MUL, new NumberLiteral(-1), new NumberLiteral(2)));
      assertThat(parse("-1^-2"))
          .isEqualTo(
              new UnaryExpr(
                  true, new BinaryExpr(BinaryOp.POW, new NumberLiteral(1), new NumberLiteral(-2))));
      assertThat(parse("+1 + -2 * 1"))
          .isEqualTo(
              new BinaryExpr(
                  BinaryOp.ADD,
                  new NumberLiteral(1),
                  new BinaryExpr(BinaryOp.MUL, new NumberLiteral(-2), new NumberLiteral(1))));
      assertThat(parse("-0755")).isEqualTo(new NumberLiteral(-493));
      assertThat(parse("+5.5e-3")).isEqualTo(new NumberLiteral(0.0055));
      assertThat(parse("-some_metric")).isEqualTo(new UnaryExpr(true, selector("some_metric")));
      assertThat(parse("+some_metric")).isEqualTo(new UnaryExpr(false, selector("some_metric")));
    }

    @Test
    void signsFoldIntoNumbers() {
      assertThat(parse("-1")).isEqualTo(new NumberLiteral(-1));
      assertThat(parse("- -1")).isEqualTo(new NumberLiteral(1));
      assertThat(parse("+5")).isEqualTo(new NumberLiteral(5));
      assertThat(parse("-(1)")).isEqualTo(new UnaryExpr(true, new ParenExpr(new NumberLiteral(1))));
    }

    @Test
    void boolModifier() {
      assertThat(parse("a > bool 1"))
          .isEqualTo(
              new BinaryExpr(
                  BinaryOp.GTR, selector("a"), new NumberLiteral(1), true, VectorMatching.DEFAULT));
    }

    @Test
    void onWithGroupLeft() {
      assertThat(parse("a / on (x) group_left (y, z) b"))
          .isEqualTo(
              new BinaryExpr(
                  BinaryOp.DIV,
                  selector("a"),
                  selector("b"),
                  false,
                  VectorMatching.on(List.of("x"))
                      .withGroup(Cardinality.MANY_TO_ONE, List.of("y", "z"))));
    }

    @Test
    void parenthesisAfterAGroupModifierIsItsLabelList() {
      assertThat(parse("a * ignoring (x) group_right (b) (c)"))
          .isEqualTo(
              new BinaryExpr(
                  BinaryOp.MUL,
                  selector("a"),
                  new ParenExpr(selector("c")),
                  false,
                  VectorMatching.ignoring(List.of("x"))
                      .withGroup(Cardinality.ONE_TO_MANY, List.of("b"))));
      assertThat(parse("a * on (x) group_left b"))
          .isEqualTo(
              new BinaryExpr(
                  BinaryOp.MUL,
                  selector("a"),
                  selector("b"),
                  false,
                  VectorMatching.on(List.of("x")).withGroup(Cardinality.MANY_TO_ONE, List.of())));
    }

    @Test
    void emptyIgnoringIsTheDefaultMatching() {
      assertThat(parse("a and ignoring () b"))
          .isEqualTo(new BinaryExpr(BinaryOp.AND, selector("a"), selector("b")));
      assertThat(((BinaryExpr) parse("a and on () b")).matching())
          .isEqualTo(VectorMatching.on(List.of()));
    }

    @Test
    void fillModifiers() {
      assertThat(((BinaryExpr) parse("a + fill(0) b")).matching().fill())
          .isEqualTo(new FillModifier(new NumberLiteral(0), new NumberLiteral(0)));
      assertThat(((BinaryExpr) parse("a + on(x) fill_right(-1) fill_left(5m) b")).matching().fill())
          .isEqualTo(new FillModifier(new NumberLiteral(300), new NumberLiteral(-1)));
      assertThat(parse("a + fill(5m) b")).isEqualTo(parse("a + fill(300) b"));
    }

    @Test
    void trimOperatorsAndAtan2() {
      assertThat(parse("a </ b"))
          .isEqualTo(new BinaryExpr(BinaryOp.TRIM_UPPER, selector("a"), selector("b")));
      assertThat(parse("a >/ b"))
          .isEqualTo(new BinaryExpr(BinaryOp.TRIM_LOWER, selector("a"), selector("b")));
      assertThat(parse("a atan2 b"))
          .isEqualTo(new BinaryExpr(BinaryOp.ATAN2, selector("a"), selector("b")));
    }

    @Test
    void parenthesesAreKept() {
      assertThat(parse("((foo))")).isEqualTo(new ParenExpr(new ParenExpr(selector("foo"))));
    }
  }

  @Nested
  class Literals {

    @Test
    void numberFormats() {
      assertThat(parse("0x1F")).isEqualTo(new NumberLiteral(31));
      assertThat(parse("0X_1f")).isEqualTo(new NumberLiteral(31));
      assertThat(parse("0755")).isEqualTo(new NumberLiteral(493));
      assertThat(parse("08")).isEqualTo(new NumberLiteral(8));
      assertThat(parse("1_000")).isEqualTo(new NumberLiteral(1000));
      assertThat(parse("1e3")).isEqualTo(new NumberLiteral(1000));
      assertThat(parse("5e-3")).isEqualTo(new NumberLiteral(0.005));
      assertThat(parse(".5")).isEqualTo(new NumberLiteral(0.5));
      assertThat(parse("5.")).isEqualTo(new NumberLiteral(5));
      assertThat(parse("1.e3")).isEqualTo(new NumberLiteral(1000));
    }

    @Test
    void infinityAndNotANumberInAnyCase() {
      assertThat(parse("Inf")).isEqualTo(new NumberLiteral(Double.POSITIVE_INFINITY));
      assertThat(parse("-inf")).isEqualTo(new NumberLiteral(Double.NEGATIVE_INFINITY));
      assertThat(((NumberLiteral) parse("NaN")).value()).isNaN();
      assertThat(((NumberLiteral) parse("nAn")).value()).isNaN();
    }

    @Test
    void durationsStandWhereNumbersDo() {
      assertThat(parse("time() - 1h"))
          .isEqualTo(new BinaryExpr(BinaryOp.SUB, Call.of("time"), new NumberLiteral(3600, true)));
      assertThat(parse("-5m")).isEqualTo(new NumberLiteral(-300, true));
    }

    @Test
    void goStringEscapes() {
      assertThat(parse("\"a\\n\\t\\\"b\\\\\"")).isEqualTo(new StringLiteral("a\n\t\"b\\"));
      assertThat(parse("'it\\'s'")).isEqualTo(new StringLiteral("it's"));
      assertThat(parse("\"\\u00e9\\U0001F600\"")).isEqualTo(new StringLiteral("é\uD83D\uDE00"));
      assertThat(parse("\"\\xc3\\xa9\\101\"")).isEqualTo(new StringLiteral("éA"));
    }

    @Test
    void escapedBytesThatAreNotUtf8AreKeptAsGoKeepsThem() {
      // Go's "\xff" is the byte 0xff, not U+FFFD; printed back (to a shard) it must stay \xff.
      for (String query :
          List.of(
              "up{job=\"\\xff\"}", "label_replace(up, \"a\", \"a\\xe2\\x82b\\377\", \"\", \"\")")) {
        Expr parsed = PromQL.parse(query);
        assertThat(PromQL.print(parsed)).isEqualTo(query.replace("\\377", "\\xff"));
        assertThat(parsed)
            .isNotEqualTo(
                PromQL.parse(query.replace("\\xff", "\\ufffd").replace("\\377", "\\ufffd")));
      }
      assertThat(PromQL.print(PromQL.parse("\"\\xe2\\x82\\xac\\xef\\xbf\\xbd\"")))
          .isEqualTo("\"€\\ufffd\"");
    }

    @Test
    void rawStringsHaveNoEscapesAndMaySpanLines() {
      assertThat(parse("`a\\n\nb`")).isEqualTo(new StringLiteral("a\\n\nb"));
    }

    @Test
    void commentsAreIgnored() {
      assertThat(parse("foo # the first\n + # the operator\n bar"))
          .isEqualTo(new BinaryExpr(BinaryOp.ADD, selector("foo"), selector("bar")));
    }

    @Test
    void utf8InStrings() {
      assertThat(parse("{\"métrique\"=\"日本\"}")).isEqualTo(selector(null, equal("métrique", "日本")));
    }
  }
}
