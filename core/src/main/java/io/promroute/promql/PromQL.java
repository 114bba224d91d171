package io.promroute.promql;

import static java.util.Objects.requireNonNull;

import io.promroute.compat.GoFormat;
import io.promroute.internal.DeepStack;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.VectorSelector;

/**
 * The PromQL front end: parse a query into an immutable {@link Expr}, and print an {@link Expr}
 * exactly as Prometheus prints it.
 *
 * <p>All methods are thread-safe.
 */
public final class PromQL {

  private PromQL() {}

  /**
   * Parses a query with {@link ParserOptions#defaults()}.
   *
   * @param query the PromQL text
   * @return its syntax tree
   * @throws PromQLParseException if Prometheus would reject the query
   */
  public static Expr parse(String query) {
    return parse(query, ParserOptions.defaults());
  }

  /**
   * Parses a query.
   *
   * <p>Accepts what Prometheus 3.14's parser accepts with the same options, and rejects the rest
   * with Prometheus's first error message and position. Any string ends in a tree or in a {@link
   * PromQLParseException}, including queries longer than {@link ParserOptions#maxQueryLength()} or
   * nested deeper than {@link ParserOptions#maxNestingDepth()}.
   *
   * @param query the PromQL text
   * @param options the parser's feature switches and limits
   * @return its syntax tree
   * @throws PromQLParseException if Prometheus, with the same options, would reject the query
   */
  public static Expr parse(String query, ParserOptions options) {
    requireNonNull(query, "query is null");
    requireNonNull(options, "options is null");
    return QueryParser.parseExpression(query, options);
  }

  /**
   * Parses a series selector, as in the {@code match[]} parameter of {@code /api/v1/series}: a
   * metric name and/or matchers, without modifiers. As Prometheus's {@code ParseMetricSelector},
   * this only parses: {@code {}} and {@code up{__name__="x"}} are accepted. Prometheus's API then
   * refuses a {@code match[]} without a non-empty matcher ({@link #hasNonEmptyMatcher}), with its
   * own message.
   *
   * @param selector the selector text
   * @return the selector
   * @throws PromQLParseException if it is not a valid instant vector selector
   */
  public static VectorSelector parseSelector(String selector) {
    return parseSelector(selector, ParserOptions.defaults());
  }

  /**
   * Parses a series selector with the given options.
   *
   * @param selector the selector text
   * @param options the parser's feature switches and limits
   * @return the selector
   * @throws PromQLParseException if it is not a valid instant vector selector
   */
  public static VectorSelector parseSelector(String selector, ParserOptions options) {
    requireNonNull(selector, "selector is null");
    requireNonNull(options, "options is null");
    return QueryParser.parseSeriesSelector(selector, options);
  }

  /**
   * Whether the selector has a metric name or a matcher that does not match the empty string: what
   * Prometheus requires of every selector in a query ({@code vector selector must contain at least
   * one non-empty matcher}) and of each {@code match[]} of its API ({@code match[] must contain at
   * least one non-empty matcher}). Regular expressions are matched as RE2 does, fully anchored.
   *
   * @param selector a parsed selector
   * @return whether Prometheus accepts it as a query's selector or a {@code match[]}
   */
  public static boolean hasNonEmptyMatcher(VectorSelector selector) {
    requireNonNull(selector, "selector is null");
    return SemanticChecker.hasNonEmptyMatcher(selector);
  }

  /**
   * The canonical single-line form, exactly as Prometheus's {@code String()} prints it: matchers
   * sorted by their printed form, aggregation grouping before the body, numbers without exponent,
   * Go quoting, durations such as {@code 1h30m}. Parsing the result gives the same tree except for
   * the order of matchers, which the parser keeps as written.
   *
   * @param expr the tree
   * @return its canonical PromQL text
   * @throws IllegalArgumentException if the tree nests too deeply to print (far deeper than the
   *     parser accepts)
   */
  public static String print(Expr expr) {
    requireNonNull(expr, "expr is null");
    return DeepStack.call(() -> Printer.print(expr), PromQL::tooDeep);
  }

  // The printer recurses (except along left-deep operator chains): a tree deeper than the
  // caller's stack is printed on a large one (DeepStack), and one deeper than that, which only
  // code can build, gets a clear error, not a crash.
  private static IllegalArgumentException tooDeep() {
    return new IllegalArgumentException("expression is nested too deeply to print");
  }

  /**
   * What Prometheus's {@code Pretty(0)} and {@code /api/v1/format_query} produce: lines split at
   * 100 characters.
   *
   * @param expr the tree
   * @return its PromQL text over one or more lines
   * @throws IllegalArgumentException if the tree nests too deeply to print
   */
  public static String prettyPrint(Expr expr) {
    return prettyPrint(expr, 100);
  }

  /**
   * {@link #prettyPrint(Expr)} with another line width: a node whose single-line form is longer
   * than {@code maxCharactersPerLine} (counted in UTF-8 bytes, as Prometheus counts) is split over
   * lines indented by two spaces per level.
   *
   * @param expr the tree
   * @param maxCharactersPerLine the line width
   * @return its PromQL text over one or more lines
   * @throws IllegalArgumentException if {@code maxCharactersPerLine} is not positive, or if the
   *     tree nests too deeply to print
   */
  public static String prettyPrint(Expr expr, int maxCharactersPerLine) {
    requireNonNull(expr, "expr is null");
    if (maxCharactersPerLine <= 0) {
      throw new IllegalArgumentException(
          "maxCharactersPerLine must be positive, got " + maxCharactersPerLine);
    }
    return DeepStack.call(
        () -> PrettyPrinter.prettyPrint(expr, maxCharactersPerLine), PromQL::tooDeep);
  }

  /**
   * Go's {@code strconv.FormatFloat(value, 'f', -1, 64)}: how Prometheus writes sample values in
   * its JSON answers ({@code "NaN"}, {@code "+Inf"}, {@code "0.1"}, never an exponent), and how
   * {@code count_values} spells a value as a label.
   *
   * @param value a sample value
   * @return its Prometheus spelling
   */
  public static String formatSampleValue(double value) {
    return GoFormat.formatFloat(value);
  }

  /**
   * How Prometheus's API writes a sample value in JSON ({@code marshalFloat}): Go's shortest {@code
   * 'f'} format, but {@code 'e'} below 1e-6 and from 1e21 in magnitude ({@code
   * "3.3306690738754696e-14"}, {@code "9.98846567431158e+307"}); {@code "NaN"}, {@code "+Inf"}.
   *
   * @param value a sample value
   * @return its spelling in Prometheus's JSON answers
   */
  public static String formatApiSampleValue(double value) {
    double magnitude = Math.abs(value);
    if (value != 0 && Double.isFinite(value) && (magnitude < 1e-6 || magnitude >= 1e21)) {
      return GoFormat.formatFloatShortestG(value);
    }
    return GoFormat.formatFloat(value);
  }
}
