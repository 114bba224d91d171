package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

/**
 * A parenthesised duration expression, kept so that it prints as written: {@code offset (5m * 2)}.
 *
 * @param expr the inner expression
 */
public record DurationParen(DurationExpr expr) implements DurationExpr {

  /**
   * Checks the node.
   *
   * @param expr the inner expression
   * @throws NullPointerException if {@code expr} is null
   */
  public DurationParen {
    requireNonNull(expr, "expr is null");
  }
}
