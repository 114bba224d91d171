package io.promroute.promql;

/**
 * A query that Prometheus would reject. The message has Prometheus's shape, {@code 1:14: parse
 * error: unexpected ...}.
 */
public final class PromQLParseException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String reason;
  private final int line;
  private final int column;
  private final int startOffset;
  private final int endOffset;

  /**
   * @param reason the message without position, e.g. {@code unexpected end of input}
   * @param line the 1-based line of the error's start
   * @param column the 1-based column of the error's start
   * @param startOffset the 0-based character offset where the offending span starts
   * @param endOffset the 0-based character offset where it ends (exclusive)
   */
  public PromQLParseException(String reason, int line, int column, int startOffset, int endOffset) {
    super(line + ":" + column + ": parse error: " + reason);
    this.reason = reason;
    this.line = line;
    this.column = column;
    this.startOffset = startOffset;
    this.endOffset = endOffset;
  }

  /**
   * The message without the position prefix.
   *
   * @return Prometheus's reason, such as {@code unexpected end of input}
   */
  public String reason() {
    return reason;
  }

  /**
   * Where the error is.
   *
   * @return the line, from 1
   */
  public int line() {
    return line;
  }

  /**
   * Where the error is, as Prometheus counts columns.
   *
   * @return the column, from 1
   */
  public int column() {
    return column;
  }

  /**
   * Where the offending text starts.
   *
   * @return a character offset into the query
   */
  public int startOffset() {
    return startOffset;
  }

  /**
   * Where the offending text ends.
   *
   * @return a character offset into the query, after its last character
   */
  public int endOffset() {
    return endOffset;
  }
}
