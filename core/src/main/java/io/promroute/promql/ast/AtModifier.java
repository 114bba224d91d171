package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

/**
 * An {@code @} modifier: {@code @ 1609746000}, {@code @ start()} or {@code @ end()}.
 *
 * @param kind which form was written
 * @param timestampMillis for {@link Kind#TIMESTAMP}, the time in milliseconds since the epoch;
 *     0 otherwise
 */
public record AtModifier(Kind kind, long timestampMillis) {

  /** The three forms of {@code @}. */
  public enum Kind {
    TIMESTAMP,
    START,
    END
  }

  public AtModifier {
    requireNonNull(kind, "kind is null");
    if (kind != Kind.TIMESTAMP && timestampMillis != 0) {
      throw new IllegalArgumentException("only @ <timestamp> carries a timestamp");
    }
  }

  public static AtModifier at(long timestampMillis) {
    return new AtModifier(Kind.TIMESTAMP, timestampMillis);
  }

  public static AtModifier start() {
    return new AtModifier(Kind.START, 0);
  }

  public static AtModifier end() {
    return new AtModifier(Kind.END, 0);
  }
}
