package io.promroute.compat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The few Go formatting routines whose exact output Prometheus exposes: {@code
 * strconv.FormatFloat(v, 'f', -1, 64)}, {@code fmt.Sprint(float64)} (the {@code %v} verb), {@code
 * model.Duration.String()}, {@code %.3f}, {@code %f}, {@code len} of a string and {@code
 * strings.TrimSpace}. Written from their documented behaviour; Java's own formatting differs in
 * each (exponents, rounding). Quoting is {@link GoQuote}.
 */
public final class GoFormat {

  private static final long MILLIS_PER_SECOND = 1000L;
  private static final long MILLIS_PER_MINUTE = 60 * MILLIS_PER_SECOND;
  private static final long MILLIS_PER_HOUR = 60 * MILLIS_PER_MINUTE;
  private static final long MILLIS_PER_DAY = 24 * MILLIS_PER_HOUR;
  private static final long MILLIS_PER_WEEK = 7 * MILLIS_PER_DAY;
  private static final long MILLIS_PER_YEAR = 365 * MILLIS_PER_DAY;

  // Below 2^53 every integer is a double and no shorter decimal rounds to it, so its digits are
  // the shortest representation; this keeps the common case away from BigDecimal.
  private static final double EXACT_INTEGER_LIMIT = 9_007_199_254_740_992d;

  // Below this many milliseconds, ts / 1000.0 rounded to three decimals is exactly ts's digits.
  private static final long EXACT_TIMESTAMP_LIMIT = 1_000_000_000_000_000L;

  private GoFormat() {}

  /**
   * Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}: the shortest decimal that reads back as
   * {@code v}, never with an exponent; {@code +Inf}, {@code -Inf}, {@code NaN}, {@code -0}.
   */
  public static String formatFloat(double value) {
    String special = special(value);
    if (special != null) {
      return special;
    }
    if (value == Math.rint(value) && Math.abs(value) < EXACT_INTEGER_LIMIT) {
      return Long.toString((long) value);
    }
    String fast = fewFractionDigits(value);
    return fast != null ? fast : shortestDecimal(value).toPlainString();
  }

  /**
   * Go's {@code %f} ({@code strconv.FormatFloat(v, 'f', 6, 64)}): six decimals, rounded from the
   * exact binary value (half to even), with the sign of a negative number that rounds to zero;
   * {@code +Inf}, {@code -Inf}, {@code NaN}. Prometheus writes it into some error messages.
   */
  public static String formatSixDecimals(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    String digits = new BigDecimal(value).setScale(6, RoundingMode.HALF_EVEN).abs().toPlainString();
    boolean negative = value < 0 || (value == 0 && 1 / value < 0);
    return negative ? "-" + digits : digits;
  }

  /** The BigDecimal route of {@link #formatFloat}, for tests that check the fast route. */
  public static String formatFloatExactly(double value) {
    String special = special(value);
    return special != null ? special : shortestDecimal(value).toPlainString();
  }

  private static final double[] POWERS_OF_TEN = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17
  };

  /**
   * Numbers in queries are mostly short decimals (0.99, 0.5, 1.5); this finds them without
   * BigDecimal. For s = 1, 2, ... it looks for an integer c below 2^53 with c / 10^s == value: both
   * operands are exact doubles and division rounds correctly, so c * 10^-s reads back as value, and
   * the smallest such s gives the fewest digits. Returns null when the answer is not unique or not
   * found, leaving the exact route to decide.
   */
  private static String fewFractionDigits(double value) {
    double magnitude = Math.abs(value);
    if (magnitude < 1e-5 || magnitude >= 1e15) {
      return null;
    }
    for (int scale = 1; scale < POWERS_OF_TEN.length; scale++) {
      double power = POWERS_OF_TEN[scale];
      double scaled = magnitude * power;
      if (scaled >= EXACT_INTEGER_LIMIT) {
        return null;
      }
      long rounded = Math.round(scaled);
      long match = 0;
      int matches = 0;
      for (long candidate = rounded - 1; candidate <= rounded + 1; candidate++) {
        if (candidate > 0 && candidate / power == magnitude) {
          match = candidate;
          matches++;
        }
      }
      if (matches > 1) {
        return null;
      }
      if (matches == 1) {
        return withDecimalPoint(match, scale, value < 0);
      }
    }
    return null;
  }

  private static String withDecimalPoint(long digits, int scale, boolean negative) {
    String text = Long.toString(digits);
    StringBuilder builder = new StringBuilder(text.length() + scale + 3);
    if (negative) {
      builder.append('-');
    }
    int integerDigits = text.length() - scale;
    if (integerDigits <= 0) {
      builder.append("0.");
      for (int index = integerDigits; index < 0; index++) {
        builder.append('0');
      }
      builder.append(text);
    } else {
      builder.append(text, 0, integerDigits).append('.').append(text, integerDigits, text.length());
    }
    return builder.toString();
  }

  /**
   * Go's {@code fmt.Sprint(float64)}, i.e. {@code %g} with the shortest digits: an exponent ({@code
   * 1e+06}, {@code 1.5e-07}) when the decimal exponent is below -4 or at least 6. Prometheus prints
   * {@code fill} values this way, and Prometheus 2.x printed every number so.
   */
  public static String formatFloatShortestG(double value) {
    String special = special(value);
    if (special != null) {
      return special;
    }
    BigDecimal decimal =
        value == Math.rint(value) && Math.abs(value) < EXACT_INTEGER_LIMIT
            ? BigDecimal.valueOf((long) value).stripTrailingZeros()
            : shortestDecimal(value);
    String digits = decimal.unscaledValue().abs().toString();
    int exponent = digits.length() - decimal.scale() - 1;
    if (exponent >= -4 && exponent < 6) {
      return decimal.toPlainString();
    }
    StringBuilder builder = new StringBuilder(digits.length() + 8);
    if (decimal.signum() < 0) {
      builder.append('-');
    }
    builder.append(digits.charAt(0));
    if (digits.length() > 1) {
      builder.append('.').append(digits, 1, digits.length());
    }
    builder.append('e').append(exponent < 0 ? '-' : '+');
    int magnitude = Math.abs(exponent);
    if (magnitude < 10) {
      builder.append('0');
    }
    return builder.append(magnitude).toString();
  }

  private static String special(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == 0) {
      return Double.doubleToRawLongBits(value) == 0 ? "0" : "-0";
    }
    return null;
  }

  /**
   * The decimal with the fewest significant digits that reads back as {@code value}, the closest to
   * it when several have that many digits (what Go's shortest formatting produces). JDK 17's {@code
   * Double.toString} round-trips but is sometimes a digit or two longer, so it is only the starting
   * point; shorter candidates are tried until none reads back.
   */
  private static BigDecimal shortestDecimal(double value) {
    BigDecimal exact = new BigDecimal(value);
    BigDecimal best = new BigDecimal(Double.toString(value)).stripTrailingZeros();
    BigDecimal sameLength = closestReadingBack(exact, best.precision(), value);
    if (sameLength != null) {
      best = sameLength;
    }
    for (int precision = best.precision() - 1; precision >= 1; precision--) {
      BigDecimal shorter = closestReadingBack(exact, precision, value);
      if (shorter == null) {
        break;
      }
      best = shorter;
    }
    return best.stripTrailingZeros();
  }

  // The two decimals of this many digits around the exact value are the only ones that can read
  // back; an asymmetric rounding interval (at powers of two) means either may be the one.
  private static BigDecimal closestReadingBack(BigDecimal exact, int precision, double value) {
    BigDecimal below = exact.round(new MathContext(precision, RoundingMode.FLOOR));
    BigDecimal above = exact.round(new MathContext(precision, RoundingMode.CEILING));
    boolean belowReadsBack = below.doubleValue() == value;
    boolean aboveReadsBack = above.doubleValue() == value;
    if (belowReadsBack && aboveReadsBack) {
      int comparison = exact.subtract(below).compareTo(above.subtract(exact));
      if (comparison != 0) {
        return comparison < 0 ? below : above;
      }
      return exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
    }
    if (belowReadsBack) {
      return below;
    }
    return aboveReadsBack ? above : null;
  }

  /**
   * Prometheus's {@code model.Duration.String()}: units {@code y w d h m s ms} in that order,
   * {@code y} and {@code w} only when they divide the whole duration, {@code 0s} for zero.
   */
  public static String formatDuration(long millis) {
    if (millis == 0) {
      return "0s";
    }
    StringBuilder builder = new StringBuilder(16);
    appendDuration(builder, millis);
    return builder.toString();
  }

  public static void appendDuration(StringBuilder builder, long millis) {
    if (millis == 0) {
      builder.append("0s");
      return;
    }
    long remaining = millis;
    if (remaining < 0) {
      builder.append('-');
      // Long.MIN_VALUE has no positive counterpart; it is out of range for any Prometheus
      // duration, so clamping by one millisecond is harmless.
      remaining = remaining == Long.MIN_VALUE ? Long.MAX_VALUE : -remaining;
    }
    if (remaining % MILLIS_PER_YEAR == 0) {
      remaining = appendUnit(builder, remaining, MILLIS_PER_YEAR, "y");
    }
    if (remaining % MILLIS_PER_WEEK == 0) {
      remaining = appendUnit(builder, remaining, MILLIS_PER_WEEK, "w");
    }
    remaining = appendUnit(builder, remaining, MILLIS_PER_DAY, "d");
    remaining = appendUnit(builder, remaining, MILLIS_PER_HOUR, "h");
    remaining = appendUnit(builder, remaining, MILLIS_PER_MINUTE, "m");
    remaining = appendUnit(builder, remaining, MILLIS_PER_SECOND, "s");
    appendUnit(builder, remaining, 1, "ms");
  }

  private static long appendUnit(StringBuilder builder, long millis, long unitMillis, String unit) {
    long count = millis / unitMillis;
    if (count > 0) {
      builder.append(count).append(unit);
      return millis - count * unitMillis;
    }
    return millis;
  }

  /**
   * Go's {@code fmt.Sprintf("%.3f", float64(millis) / 1000.0)}, how Prometheus prints an {@code @}
   * timestamp: the exact value of the double, rounded half to even.
   */
  public static void appendTimestamp(StringBuilder builder, long millis) {
    if (millis > -EXACT_TIMESTAMP_LIMIT && millis < EXACT_TIMESTAMP_LIMIT) {
      long magnitude = Math.abs(millis);
      if (millis < 0) {
        builder.append('-');
      }
      long fraction = magnitude % 1000;
      builder.append(magnitude / 1000).append('.');
      if (fraction < 100) {
        builder.append('0');
      }
      if (fraction < 10) {
        builder.append('0');
      }
      builder.append(fraction);
      return;
    }
    builder.append(
        new BigDecimal(millis / 1000.0).setScale(3, RoundingMode.HALF_EVEN).toPlainString());
  }

  /** The length of a string in UTF-8 bytes, which is what Go's {@code len} counts. */
  public static int utf8Length(CharSequence text) {
    int length = text.length();
    int bytes = length;
    for (int index = 0; index < length; index++) {
      char character = text.charAt(index);
      if (character >= 0x80) {
        if (character < 0x800) {
          bytes += 1;
        } else if (Character.isHighSurrogate(character)
            && index + 1 < length
            && Character.isLowSurrogate(text.charAt(index + 1))) {
          // A surrogate pair is 2 chars and 4 bytes.
          bytes += 2;
          index++;
        } else {
          bytes += 2;
        }
      }
    }
    return bytes;
  }

  /** Go's {@code strings.TrimSpace}: trims Unicode white space (Go's {@code unicode.IsSpace}). */
  public static String trimSpace(String text) {
    int start = 0;
    int end = text.length();
    while (start < end && isGoSpace(text.charAt(start))) {
      start++;
    }
    while (end > start && isGoSpace(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(start, end);
  }

  private static boolean isGoSpace(char character) {
    return switch (character) {
      case '\t',
          '\n',
          0x0b,
          '\f',
          '\r',
          ' ',
          0x85,
          0xa0,
          0x1680,
          0x2028,
          0x2029,
          0x202f,
          0x205f,
          0x3000 ->
          true;
      default -> character >= 0x2000 && character <= 0x200a;
    };
  }
}
