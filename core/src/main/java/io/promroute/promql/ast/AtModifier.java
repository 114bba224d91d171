package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

/**
 * An {@code @} modifier: {@code @ 1609746000}, {@code @ start()} or {@code @ end()}.
 *
 * @param kind which form was written
 * @param timestampMillis for {@link Kind#TIMESTAMP}, the time in milliseconds since the epoch; 0
 *     otherwise
 */
public record AtModifier(Kind kind, long timestampMillis) {

  /** The three forms of {@code @}. */
  public enum Kind {
    /** {@code @ <unix time in seconds>}: a fixed evaluation time. */
    TIMESTAMP,
    /** {@code @ start()}: the start of the range query, or the time of an instant query. */
    START,
    /** {@code @ end()}: the end of the range query, or the time of an instant query. */
    END
  }

  /**
   * Checks that only {@link Kind#TIMESTAMP} carries a time.
   *
   * @param kind which form was written
   * @param timestampMillis the time in milliseconds since the epoch, 0 unless {@code kind} is
   *     {@link Kind#TIMESTAMP}
   * @throws NullPointerException if {@code kind} is null
   * @throws IllegalArgumentException if {@code @ start()} or {@code @ end()} is given a time
   */
  public AtModifier {
    requireNonNull(kind, "kind is null");
    if (kind != Kind.TIMESTAMP && timestampMillis != 0) {
      throw new IllegalArgumentException("only @ <timestamp> carries a timestamp");
    }
  }

  /**
   * {@code @ <timestamp>}.
   *
   * @param timestampMillis the evaluation time in milliseconds since the epoch (PromQL writes it in
   *     seconds)
   * @return the modifier
   */
  public static AtModifier at(long timestampMillis) {
    return new AtModifier(Kind.TIMESTAMP, timestampMillis);
  }

  /**
   * {@code @ start()}.
   *
   * @return the modifier
   */
  public static AtModifier start() {
    return new AtModifier(Kind.START, 0);
  }

  /**
   * {@code @ end()}.
   *
   * @return the modifier
   */
  public static AtModifier end() {
    return new AtModifier(Kind.END, 0);
  }
}
