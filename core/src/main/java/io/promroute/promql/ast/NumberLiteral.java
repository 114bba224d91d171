package io.promroute.promql.ast;

/**
 * A number, e.g. {@code 1}, {@code 0x1f}, {@code Inf}, {@code NaN}.
 *
 * <p>A unary minus in front of a number is folded into the literal, as Prometheus does. Since
 * Prometheus 3.4 a duration may stand where a number does ({@code time() - 1h}); such a literal has
 * {@code duration} set, holds the duration in seconds and prints as a duration.
 *
 * @param value the value; for a duration, in seconds
 * @param duration whether the literal was written as a duration
 */
public record NumberLiteral(double value, boolean duration) implements Expr {

  /**
   * A number written as a number.
   *
   * @param value the value
   */
  public NumberLiteral(double value) {
    this(value, false);
  }

  @Override
  public ValueType type() {
    return ValueType.SCALAR;
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.visitNumberLiteral(this);
  }
}
