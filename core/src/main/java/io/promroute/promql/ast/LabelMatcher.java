package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

/**
 * One matcher of a selector, e.g. {@code job=~"api|web"}.
 *
 * <p>The value is unescaped. For regex operators it is the regex as Prometheus compiles it: RE2
 * syntax, anchored at both ends.
 *
 * @param name the label name (may be any UTF-8 string; non-legacy names print quoted)
 * @param op the operator
 * @param value the unescaped value
 */
public record LabelMatcher(String name, MatchOp op, String value) {

  /** The label that holds a series' metric name. */
  public static final String METRIC_NAME = "__name__";

  /**
   * Checks the matcher. A regex is not compiled here: the parser checks it with RE2's syntax.
   *
   * @param name the label name
   * @param op the operator
   * @param value the unescaped value
   * @throws NullPointerException if an argument is null
   */
  public LabelMatcher {
    requireNonNull(name, "name is null");
    requireNonNull(op, "op is null");
    requireNonNull(value, "value is null");
  }

  /**
   * {@code name="value"}.
   *
   * @param name the label name
   * @param value the unescaped value; {@code ""} matches series without the label
   * @return the matcher
   */
  public static LabelMatcher equal(String name, String value) {
    return new LabelMatcher(name, MatchOp.EQUAL, value);
  }
}
