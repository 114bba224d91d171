package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

/**
 * Arithmetic between durations, e.g. {@code 5m + 1m} (Prometheus 3.4+, duration expressions).
 *
 * @param op one of the arithmetic operators {@code + - * / % ^}
 * @param lhs the left operand
 * @param rhs the right operand
 */
public record DurationBinary(BinaryOp op, DurationExpr lhs, DurationExpr rhs)
    implements DurationExpr {

  /**
   * Checks the node.
   *
   * @param op the operator
   * @param lhs the left operand
   * @param rhs the right operand
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code op} is not arithmetic
   */
  public DurationBinary {
    requireNonNull(op, "op is null");
    requireNonNull(lhs, "lhs is null");
    requireNonNull(rhs, "rhs is null");
    if (!op.isArithmetic()) {
      throw new IllegalArgumentException("not an arithmetic operator: " + op.symbol());
    }
  }
}
