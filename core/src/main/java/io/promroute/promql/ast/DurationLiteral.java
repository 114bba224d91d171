package io.promroute.promql.ast;

/**
 * A literal duration, e.g. {@code 5m}, {@code 1h30m}, or a number of seconds ({@code 300}).
 *
 * <p>Where the whole range, step or offset is one literal, it is a duration however it was written
 * ({@code foo[300]} and {@code foo[5m]} are equal and print as {@code foo[5m]}). Inside a duration
 * expression a literal written as a number keeps printing as a number ({@code foo[200 -
 * min_of(step(), 1)]}): {@code number} records that.
 *
 * @param millis the duration in milliseconds; negative only for a negative {@code offset}
 * @param number whether the literal stands inside a duration expression written as a plain number
 */
public record DurationLiteral(long millis, boolean number) implements DurationExpr {

  /**
   * A duration as PromQL writes one ({@code 5m}), not as a plain number.
   *
   * @param millis the duration in milliseconds
   * @return the literal
   */
  public static DurationLiteral ofMillis(long millis) {
    return new DurationLiteral(millis, false);
  }

  /**
   * A duration as PromQL writes one ({@code 5m}), not as a plain number.
   *
   * @param seconds the duration in seconds
   * @return the literal
   * @throws ArithmeticException if the duration in milliseconds overflows a {@code long}
   */
  public static DurationLiteral ofSeconds(long seconds) {
    return new DurationLiteral(Math.multiplyExact(seconds, 1000L), false);
  }
}
