package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

/**
 * A string, e.g. {@code "value"}; the value is unescaped (the quote style is not kept).
 *
 * @param value the string's value
 */
public record StringLiteral(String value) implements Expr {

  /**
   * Checks the node.
   *
   * @param value the unescaped value
   * @throws NullPointerException if {@code value} is null
   */
  public StringLiteral {
    requireNonNull(value, "value is null");
  }

  @Override
  public ValueType type() {
    return ValueType.STRING;
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.visitStringLiteral(this);
  }
}
