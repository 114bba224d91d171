package io.promroute.promql.ast;

/**
 * A duration where PromQL expects one: a range {@code [5m]}, a subquery range or step, an {@code
 * offset}. Usually a {@link DurationLiteral}; since Prometheus 3.4, with duration expressions
 * enabled, also arithmetic ({@code [5m + 1m]}), parentheses, a negation, or one of {@code step()},
 * {@code range()}, {@code min_of(a, b)}, {@code max_of(a, b)}.
 */
public sealed interface DurationExpr
    permits DurationLiteral, DurationBinary, DurationNegation, DurationParen, DurationCall {}
