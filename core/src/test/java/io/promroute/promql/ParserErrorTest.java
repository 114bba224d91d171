package io.promroute.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every class of error, with Prometheus's message and position: lexical errors, syntax errors with
 * their context, grammar-action errors, the checks of checkAST, and the feature switches.
 */
class ParserErrorTest {

  private static final ParserOptions ALL = ParserOptions.allFeatures();
  private static final ParserOptions DEFAULTS = ParserOptions.defaults();
  private static final ParserOptions PROMETHEUS_2 =
      ParserOptions.defaults().toBuilder().prometheus2Functions(true).build();

  static Stream<Arguments> lexicalErrors() {
    return Stream.of(
        row("", "1:1: parse error: no expression found in input", 0),
        row("# only a comment\n", "1:1: parse error: no expression found in input", 0),
        row(".", "1:1: parse error: unexpected character: '.'", 0),
        row("2.5.", "1:1: parse error: bad number or duration syntax: \"2.5.\"", 0),
        row("0deadbeef", "1:1: parse error: bad number or duration syntax: \"0de\"", 0),
        row("1_", "1:1: parse error: bad number or duration syntax: \"1_\"", 0),
        row("(1))", "1:5: parse error: unexpected right parenthesis ')'", 4),
        row("((1)", "1:5: parse error: unclosed left parenthesis", 4),
        row("1 =~ 1", "1:3: parse error: unexpected character after '=': '~'", 2),
        row("1 !~ 1", "1:3: parse error: unexpected character after '!': '~'", 2),
        row("{", "1:2: parse error: unexpected end of input inside braces", 1),
        row("}", "1:1: parse error: unexpected character: '}'", 0),
        row(
            "some_metric{a:b=\"b\"}",
            "1:14: parse error: unexpected character inside braces: ':'",
            13),
        row("foo{a!b}", "1:6: parse error: unexpected character after '!' inside braces: 'b'", 5),
        row("foo{a{}", "1:6: parse error: unexpected left brace '{'", 5),
        row("foo]", "1:4: parse error: unexpected right bracket ']'", 3),
        row("foo[5m", "1:7: parse error: unclosed left bracket", 6),
        row("foo[", "1:5: parse error: unexpected end of input in duration expression", 4),
        row("foo[5s x 5s]", "1:8: parse error: unexpected character: 'x', expected ':'", 7),
        row("foo[5mm]", "1:5: parse error: bad number or duration syntax: \"5mm\"", 4),
        row("foo[5m1h]", "1:5: parse error: not a valid duration string: \"5m1h\"", 4),
        row("foo[5y1hs]", "1:5: parse error: unknown unit \"hs\" in duration \"5y1hs\"", 4),
        row("sum by (\"foo)(x)", "1:9: parse error: unterminated quoted string", 8),
        row("`\\``", "1:4: parse error: unterminated raw string", 3),
        row("\"\\", "1:1: parse error: escape sequence not terminated", 0),
        row("\"\\c\"", "1:1: parse error: unknown escape sequence U+0063 'c'", 0),
        row("\"\\x.\"", "1:1: parse error: illegal character U+002E '.' in escape sequence", 0),
        row("\"\\uD800\"", "1:1: parse error: escape sequence is an invalid Unicode code point", 0),
        row("foo{a=\"\uFFFD\"}", "1:7: parse error: invalid UTF-8 rune", 6),
        row("foo\n  + 1 +", "2:8: parse error: unexpected end of input", 11),
        // Columns count UTF-8 bytes as Prometheus's do; offsets count Java characters.
        row("\"é\" +", "1:7: parse error: unexpected end of input", 5),
        row("{é=\"a\"}", "1:2: parse error: unexpected character inside braces: 'é'", 1));
  }

  static Stream<Arguments> syntaxErrors() {
    return Stream.of(
        row("1+", "1:3: parse error: unexpected end of input", 2),
        row("*1", "1:1: parse error: unexpected <op:*>", 0),
        row("@@", "1:1: parse error: unexpected <op:@>", 0),
        row("-=", "1:2: parse error: unexpected \"=\"", 1),
        row("foo bar", "1:5: parse error: unexpected identifier \"bar\"", 4),
        row("a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>", 10),
        row("foo + group_left(baz) bar", "1:7: parse error: unexpected <group_left>", 6),
        row(
            "some_metric{a=b}",
            "1:15: parse error: unexpected identifier \"b\" in label matching, expected string",
            14),
        row(
            "foo{gibberish}",
            "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator",
            13),
        row(
            "foo{,}",
            "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\"",
            4),
        row(
            "foo{__name__=\"bar\" lol}",
            "1:20: parse error: unexpected identifier \"lol\" in label matching, expected \",\" or \"}\"",
            19),
        row(
            "sum without(==)(x)",
            "1:13: parse error: unexpected <op:==> in grouping opts, expected label",
            12),
        row(
            "sum (x) by test",
            "1:12: parse error: unexpected identifier \"test\" in grouping opts, expected \"(\"",
            11),
        row(
            "sum some_metric by (test)",
            "1:5: parse error: unexpected identifier \"some_metric\"",
            4),
        row("sum (x) without (test) by (test)", "1:24: parse error: unexpected <by>", 23),
        row(
            "foo[]",
            "1:5: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, step(), or range()",
            4),
        row(
            "foo[step]",
            "1:9: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, step(), or range()",
            8),
        row(
            "x[5m] OFFSET",
            "1:13: parse error: unexpected end of input in offset, expected number, duration, step(), or range()",
            12),
        row("x[5m] @", "1:8: parse error: unexpected end of input in @, expected timestamp", 7));
  }

  static Stream<Arguments> grammarActionErrors() {
    return Stream.of(
        row(
            "999e999",
            "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"999e999\": value out of range",
            0),
        row(
            "1 offset 1d",
            "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
            0),
        row("foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times", 0),
        row(
            "rate(x[5m]) @ 1234",
            "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
            0),
        row("foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times", 0),
        row("foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf", 0),
        row(
            "foo @ 9223372036854775808.000000",
            "1:1: parse error: timestamp out of bounds for @ modifier: 9223372036854775808.000000",
            0),
        row(
            "some_metric OFFSET 1m[5m]",
            "1:22: parse error: no offset modifiers allowed before range",
            21),
        row(
            "some_metric @ 1234 [5m]",
            "1:20: parse error: no @ modifiers allowed before range",
            19),
        row("(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors", 11),
        row("foo[0m]", "1:5: parse error: duration must be greater than 0", 4),
        row("foo[-1]", "1:5: parse error: duration must be greater than 0", 4),
        row("foo[5s/0d]", "1:7: parse error: division by zero", 6),
        row("foo[5s%0d]", "1:7: parse error: modulo by zero", 6),
        row("foo offset (4d/0)", "1:15: parse error: division by zero", 14),
        row("foo[9.5e10]", "1:5: parse error: duration out of range", 4),
        row("foo{a=~\"(\"}", "1:5: parse error: error parsing regexp: missing closing ): `(`", 4),
        row(
            "foo{a!~\"x{1001}\"}",
            "1:5: parse error: error parsing regexp: invalid repeat count: `{1001}`",
            4),
        row("sum() by (x)", "1:1: parse error: no arguments for aggregate expression provided", 0),
        row(
            "topk(x)",
            "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1",
            0),
        row("topk(x,)", "1:7: parse error: trailing commas not allowed in function call args", 6),
        row("sum by (\"\") (x)", "1:9: parse error: invalid label name for grouping: \"\"", 8),
        row("non_existent()", "1:1: parse error: unknown function with name \"non_existent\"", 0),
        row("RATE(x[5m])", "1:1: parse error: unknown function with name \"RATE\"", 0),
        row("a>b()", "1:3: parse error: unknown function with name \"b\"", 2),
        // Grammar actions run before yacc reaches a later syntax error, so they are reported first.
        row("foo[0m] +", "1:5: parse error: duration must be greater than 0", 4),
        row("nonexistent(x) +", "1:1: parse error: unknown function with name \"nonexistent\"", 0),
        // The type checks run only after a successful parse: the syntax error comes first.
        row("rate(x) +", "1:10: parse error: unexpected end of input", 9));
  }

  static Stream<Arguments> typeErrors() {
    return Stream.of(
        row(
            "1 and 1",
            "1:1: parse error: set operator \"and\" not allowed in binary scalar expression",
            0),
        row(
            "foo or 1",
            "1:1: parse error: set operator \"or\" not allowed in binary scalar expression",
            0),
        row("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier", 2),
        row(
            "foo + bool bar",
            "1:5: parse error: bool modifier can only be used on comparison operators",
            4),
        row(
            "1 or on(bar) foo",
            "1:1: parse error: vector matching only allowed between instant vectors",
            0),
        row(
            "foo and on(bar) group_left(baz) bar",
            "1:1: parse error: no grouping allowed for \"and\" operation",
            0),
        row(
            "a + on(instance) group_left(job, instance) b",
            "1:3: parse error: label \"instance\" must not occur in ON and GROUP clause at once",
            2),
        row(
            "\"x\" + 1",
            "1:1: parse error: binary expression must contain only scalar and instant vector types",
            0),
        row(
            "-\"string\"",
            "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"",
            0),
        row(
            "-test[5m]",
            "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\"",
            0),
        row(
            "test[5d] OFFSET 10s [10m:5s]",
            "1:1: parse error: subquery is only allowed on instant vector, got matrix instead",
            0),
        row(
            "{}",
            "1:1: parse error: vector selector must contain at least one non-empty matcher",
            0),
        row(
            "{x=~\".*\"}",
            "1:1: parse error: vector selector must contain at least one non-empty matcher",
            0),
        row(
            "foo{__name__=\"bar\"}",
            "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"",
            0),
        row(
            "topk(x, y)",
            "1:6: parse error: expected type scalar in aggregation parameter, got instant vector",
            5),
        row(
            "count_values(5, x)",
            "1:14: parse error: expected type string in aggregation parameter, got scalar",
            13),
        row(
            "sum(x[5m])",
            "1:5: parse error: expected type instant vector in aggregation expression, got range vector",
            4),
        row("floor()", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0", 0),
        row(
            "hour(a, b, c)",
            "1:1: parse error: expected at most 1 argument(s) in call to \"hour\", got 3",
            0),
        row(
            "label_join(x)",
            "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 1",
            0),
        row(
            "rate(x)",
            "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector",
            5),
        row(
            "floor(1)",
            "1:7: parse error: expected type instant vector in call to function \"floor\", got scalar",
            6),
        row(
            "info(x, target_info{a=\"b\"})",
            "1:9: parse error: expected label selectors only, got vector selector instead",
            8),
        row("info(x, {a=\"b\"} + 1)", "1:9: parse error: expected label selectors only", 8));
  }

  static Stream<Arguments> featureSwitchErrors() {
    return Stream.of(
        row(
            DEFAULTS,
            "limitk(2, x)",
            "1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions",
            0),
        row(
            DEFAULTS,
            "mad_over_time(x[5m])",
            "1:1: parse error: function \"mad_over_time\" is not enabled",
            0),
        // Prometheus 2.42 has neither the keyword nor the functions: unknown names.
        row(
            PROMETHEUS_2,
            "limitk(2, x)",
            "1:1: parse error: unknown function with name \"limitk\"",
            0),
        row(
            PROMETHEUS_2,
            "sum(limit_ratio(0.5, x))",
            "1:5: parse error: unknown function with name \"limit_ratio\"",
            4),
        row(
            PROMETHEUS_2,
            "mad_over_time(x[5m])",
            "1:1: parse error: unknown function with name \"mad_over_time\"",
            0),
        // Quoted label names and underscores in numbers came with Prometheus 3.
        row(
            PROMETHEUS_2,
            "{\"up\"}",
            "1:2: parse error: unexpected string \"\\\"up\\\"\" in label matching, expected identifier or \"}\"",
            1),
        row(
            PROMETHEUS_2,
            "up{\"cluster\"=\"a\"}",
            "1:4: parse error: unexpected string \"\\\"cluster\\\"\" in label matching, expected identifier or \"}\"",
            3),
        row(
            PROMETHEUS_2,
            "sum(up) * 1_000",
            "1:11: parse error: bad number or duration syntax: \"1\"",
            10),
        row(
            PROMETHEUS_2,
            "sum(up) by (\"job\")",
            "1:13: parse error: unexpected string \"\\\"job\\\"\" in grouping opts, expected label",
            12),
        row(
            PROMETHEUS_2,
            "up + ignoring (\"x\") up",
            "1:16: parse error: unexpected string \"\\\"x\\\"\" in grouping opts, expected label",
            15),
        row(PROMETHEUS_2, "sum(up) * 1h", "1:11: parse error: unexpected duration \"1h\"", 10),
        row(
            PROMETHEUS_2,
            "max_over_time(up[300])",
            "1:18: parse error: missing unit character in duration",
            17),
        row(
            PROMETHEUS_2,
            "up[5m:60]",
            "1:7: parse error: unexpected number \"60\" in subquery selector, expected duration or \"]\"",
            6),
        row(
            PROMETHEUS_2,
            "up[5m] offset 0s",
            "1:15: parse error: duration must be greater than 0",
            14),
        row(
            PROMETHEUS_2,
            "sum(up) @ 1h",
            "1:11: parse error: unexpected duration \"1h\" in @, expected timestamp",
            10),
        row(
            PROMETHEUS_2,
            "up offset -120",
            "1:12: parse error: unexpected number \"120\" in offset, expected duration",
            11),
        row(
            DEFAULTS,
            "x[5m] anchored",
            "1:1: parse error: anchored modifier is experimental and not enabled",
            0),
        row(
            DEFAULTS,
            "x smoothed",
            "1:1: parse error: smoothed modifier is experimental and not enabled",
            0),
        row(
            ALL,
            "x[5m] anchored smoothed",
            "1:1: parse error: anchored and smoothed modifiers cannot be used together",
            0),
        row(
            ALL,
            "x[5m:] anchored",
            "1:1: parse error: anchored modifier is not supported for subqueries",
            0),
        row(
            DEFAULTS,
            "a + fill(0) b",
            "1:1: parse error: binop fill modifiers are experimental and not enabled",
            0),
        row(
            ALL,
            "a and fill(0) b",
            "1:1: parse error: filling in missing series not allowed for set operators",
            0),
        row(
            ALL,
            "a + fill(0) 1",
            "1:1: parse error: filling in missing series only allowed between instant vectors",
            0),
        row(
            ParserOptions.builder().durationExpressions(false).build(),
            "x[5m + 1m]",
            "1:3: parse error: experimental duration expression is not enabled",
            2),
        row(
            DEFAULTS,
            "holt_winters(x[5m], 0.5, 0.5)",
            "1:1: parse error: unknown function with name \"holt_winters\"",
            0));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource({
    "lexicalErrors",
    "syntaxErrors",
    "grammarActionErrors",
    "typeErrors",
    "featureSwitchErrors"
  })
  void failsWithPrometheusMessageAndPosition(
      ParserOptions options, String query, String message, int startOffset) {
    PromQLParseException exception =
        catchThrowableOfType(PromQLParseException.class, () -> PromQL.parse(query, options));
    assertThat(exception).as("parsing %s must fail", query).isNotNull();
    assertThat(exception.getMessage()).isEqualTo(message);
    assertThat(exception.startOffset()).isEqualTo(startOffset);
    assertThat(exception.endOffset()).isBetween(startOffset, query.length());
  }

  private static Arguments row(String query, String message, int startOffset) {
    return row(ALL, query, message, startOffset);
  }

  private static Arguments row(
      ParserOptions options, String query, String message, int startOffset) {
    return Arguments.of(options, query, message, startOffset);
  }
}
