package io.promroute.promql.ast;

/** A label matcher's operator, with its PromQL spelling. */
public enum MatchOp {
  /** {@code =}: the label's value equals the string (an absent label has the value {@code ""}). */
  EQUAL("="),
  /** {@code !=}: the label's value differs from the string. */
  NOT_EQUAL("!="),
  /** {@code =~}: the whole value matches the RE2 regex. */
  REGEX("=~"),
  /** {@code !~}: the whole value does not match the RE2 regex. */
  NOT_REGEX("!~");

  private final String symbol;

  MatchOp(String symbol) {
    this.symbol = symbol;
  }

  /**
   * The operator as written in PromQL, e.g. {@code =~}.
   *
   * @return the PromQL spelling
   */
  public String symbol() {
    return symbol;
  }
}
