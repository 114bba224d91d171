package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

/**
 * A binary operation {@code lhs op [bool] [matching] rhs}.
 *
 * @param op the operator
 * @param lhs the left operand
 * @param rhs the right operand
 * @param returnBool whether {@code bool} was written (comparisons only)
 * @param matching the vector matching modifiers; {@link VectorMatching#DEFAULT} when none
 */
public record BinaryExpr(
    BinaryOp op, Expr lhs, Expr rhs, boolean returnBool, VectorMatching matching) implements Expr {

  /**
   * Checks the node. Whether {@code bool} and the matching fit the operator and the operand types
   * is the parser's check, not this constructor's.
   *
   * @param op the operator
   * @param lhs the left operand
   * @param rhs the right operand
   * @param returnBool whether {@code bool} was written
   * @param matching the vector matching, {@link VectorMatching#DEFAULT} when none was written
   * @throws NullPointerException if {@code op}, {@code lhs}, {@code rhs} or {@code matching} is
   *     null
   */
  public BinaryExpr {
    requireNonNull(op, "op is null");
    requireNonNull(lhs, "lhs is null");
    requireNonNull(rhs, "rhs is null");
    requireNonNull(matching, "matching is null");
  }

  /**
   * {@code lhs op rhs} without {@code bool} or matching modifiers.
   *
   * @param op the operator
   * @param lhs the left operand
   * @param rhs the right operand
   */
  public BinaryExpr(BinaryOp op, Expr lhs, Expr rhs) {
    this(op, lhs, rhs, false, VectorMatching.DEFAULT);
  }

  /**
   * This operation between other operands.
   *
   * @param newLhs the left operand
   * @param newRhs the right operand
   * @return a copy with the new operands, operator and modifiers unchanged
   */
  public BinaryExpr withOperands(Expr newLhs, Expr newRhs) {
    return new BinaryExpr(op, newLhs, newRhs, returnBool, matching);
  }

  /**
   * This operation with other vector matching modifiers.
   *
   * @param newMatching the matching, {@link VectorMatching#DEFAULT} for none
   * @return a copy with {@code newMatching}
   */
  public BinaryExpr withMatching(VectorMatching newMatching) {
    return new BinaryExpr(op, lhs, rhs, returnBool, newMatching);
  }

  /**
   * Scalar when both sides are scalars, otherwise instant vector, as Prometheus types it. Walks a
   * left-associative chain in a loop, so its length costs no stack.
   */
  @Override
  public ValueType type() {
    Expr node = this;
    while (node instanceof BinaryExpr binary) {
      if (binary.rhs.type() != ValueType.SCALAR) {
        return ValueType.INSTANT_VECTOR;
      }
      node = binary.lhs;
    }
    return node.type() == ValueType.SCALAR ? ValueType.SCALAR : ValueType.INSTANT_VECTOR;
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.visitBinaryExpr(this);
  }
}
