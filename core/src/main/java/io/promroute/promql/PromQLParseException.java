package io.promroute.promql;

/**
 * A query that Prometheus would reject. The message has Prometheus's shape,
 * {@code 1:14: parse error: unexpected ...}.
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

  /** The message without the position prefix. */
  public String reason() {
    return reason;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  public int startOffset() {
    return startOffset;
  }

  public int endOffset() {
    return endOffset;
  }
}
