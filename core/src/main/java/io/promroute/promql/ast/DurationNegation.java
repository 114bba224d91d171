package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

/**
 * A negated duration expression, e.g. {@code -step()}. A unary plus is dropped by the parser, as in
 * Prometheus.
 *
 * @param expr the negated expression
 */
public record DurationNegation(DurationExpr expr) implements DurationExpr {

  /**
   * Checks the node.
   *
   * @param expr the negated expression
   * @throws NullPointerException if {@code expr} is null
   */
  public DurationNegation {
    requireNonNull(expr, "expr is null");
  }
}
