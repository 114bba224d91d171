package io.promroute.promql.ast;

/**
 * The experimental binary operator fill modifiers (Prometheus 3.10): {@code fill (v)}, {@code
 * fill_left (v)}, {@code fill_right (v)}. {@code fill (v)} sets both sides.
 *
 * @param left the value for missing left-hand series, or {@code null}
 * @param right the value for missing right-hand series, or {@code null}
 */
public record FillModifier(NumberLiteral left, NumberLiteral right) {

  /**
   * Checks that at least one side is filled.
   *
   * @param left the value for missing left-hand series, or {@code null}
   * @param right the value for missing right-hand series, or {@code null}
   * @throws IllegalArgumentException if both are null
   */
  public FillModifier {
    if (left == null && right == null) {
      throw new IllegalArgumentException("a fill modifier fills at least one side");
    }
  }
}
