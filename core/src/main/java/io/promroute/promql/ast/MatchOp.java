package io.promroute.promql.ast;

/** A label matcher's operator, with its PromQL spelling. */
public enum MatchOp {
  EQUAL("="),
  NOT_EQUAL("!="),
  REGEX("=~"),
  NOT_REGEX("!~");

  private final String symbol;

  MatchOp(String symbol) {
    this.symbol = symbol;
  }

  /** The operator as written in PromQL, e.g. {@code =~}. */
  public String symbol() {
    return symbol;
  }
}
