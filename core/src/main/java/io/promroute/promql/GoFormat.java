package io.promroute.promql;

import io.promroute.internal.GoStrings;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The few Go formatting routines whose exact output Prometheus's printer exposes: {@code
 * strconv.FormatFloat(v, 'f', -1, 64)}, {@code fmt.Sprint(float64)} (the {@code %v} verb),
 * {@code strconv.Quote}, {@code model.Duration.String()} and {@code %.3f}. Written from their
 * documented behaviour; Java's own formatting differs in each (exponents, rounding, escapes).
 */
final class GoFormat {

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

  private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

  private GoFormat() {}

  /**
   * Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}: the shortest decimal that reads back as
   * {@code v}, never with an exponent; {@code +Inf}, {@code -Inf}, {@code NaN}, {@code -0}.
   */
  static String formatFloat(double value) {
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

  /** The BigDecimal route of {@link #formatFloat}, for tests that check the fast route. */
  static String formatFloatExactly(double value) {
    String special = special(value);
    return special != null ? special : shortestDecimal(value).toPlainString();
  }

  private static final double[] POWERS_OF_TEN = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17
  };

  /**
   * Numbers in queries are mostly short decimals (0.99, 0.5, 1.5); this finds them without
   * BigDecimal. For s = 1, 2, ... it looks for an integer c below 2^53 with c / 10^s == value:
   * both operands are exact doubles and division rounds correctly, so c * 10^-s reads back as
   * value, and the smallest such s gives the fewest digits. Returns null when the answer is not
   * unique or not found, leaving the exact route to decide.
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
   * Go's {@code fmt.Sprint(float64)}, i.e. {@code %g} with the shortest digits: an exponent
   * ({@code 1e+06}, {@code 1.5e-07}) when the decimal exponent is below -4 or at least 6.
   * Prometheus prints {@code fill} values this way, and Prometheus 2.x printed every number so.
   */
  static String formatFloatShortestG(double value) {
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
   * The decimal with the fewest significant digits that reads back as {@code value}, the closest
   * to it when several have that many digits (what Go's shortest formatting produces). JDK 17's
   * {@code Double.toString} round-trips but is sometimes a digit or two longer, so it is only the
   * starting point; shorter candidates are tried until none reads back.
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
  static String formatDuration(long millis) {
    if (millis == 0) {
      return "0s";
    }
    StringBuilder builder = new StringBuilder(16);
    appendDuration(builder, millis);
    return builder.toString();
  }

  static void appendDuration(StringBuilder builder, long millis) {
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
  static void appendTimestamp(StringBuilder builder, long millis) {
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

  /**
   * Go's {@code strconv.Quote}: double quotes; {@code \a \b \f \n \r \t \v \\ \"}; other
   * non-printable characters as {@code \xNN}, {@code \\uNNNN} or {@code \UNNNNNNNN}; printable
   * Unicode (letters, marks, numbers, punctuation, symbols, ASCII space) kept as is.
   */
  static String quote(String value) {
    StringBuilder builder = new StringBuilder(value.length() + 2);
    appendQuoted(builder, value);
    return builder.toString();
  }

  static void appendQuoted(StringBuilder builder, String value) {
    builder.append('"');
    int length = value.length();
    for (int index = 0; index < length; ) {
      int codePoint = value.codePointAt(index);
      index += Character.charCount(codePoint);
      appendEscaped(builder, codePoint);
    }
    builder.append('"');
  }

  /**
   * Go strings are bytes and may hold bytes that are not UTF-8 ({@code "\xff"}); a Java string
   * holds such a byte {@code b} (0x80 to 0xff) as the lone surrogate {@code U+DC00 + b}, which no
   * well-formed text contains (Python's "surrogateescape").
   */
  private static final int RAW_BYTE_BASE = 0xdc00;

  /** The character that stands for the non-UTF-8 byte {@code b} (0x80 to 0xff). */
  static char rawByte(int b) {
    return (char) (RAW_BYTE_BASE + b);
  }

  static boolean isRawByte(int codePoint) {
    return codePoint >= RAW_BYTE_BASE + 0x80 && codePoint <= RAW_BYTE_BASE + 0xff;
  }

  private static void appendEscaped(StringBuilder builder, int codePoint) {
    if (codePoint == '"' || codePoint == '\\') {
      builder.append('\\').append((char) codePoint);
      return;
    }
    if (codePoint >= 0x20 && codePoint < 0x7f) {
      builder.append((char) codePoint);
      return;
    }
    if (codePoint == 0xfffd) {
      // Deliberate deviation: Go prints U+FFFD as itself, which Prometheus's lexer then refuses
      // ("invalid UTF-8 rune": it cannot tell it from a bad byte); shards must parse what we print.
      builder.append("\\ufffd");
      return;
    }
    if (codePoint >= 0x80 && isPrint(codePoint)) {
      builder.appendCodePoint(codePoint);
      return;
    }
    switch (codePoint) {
      case 0x07 -> builder.append("\\a");
      case '\b' -> builder.append("\\b");
      case '\f' -> builder.append("\\f");
      case '\n' -> builder.append("\\n");
      case '\r' -> builder.append("\\r");
      case '\t' -> builder.append("\\t");
      case 0x0b -> builder.append("\\v");
      default -> {
        if (codePoint < 0x20 || codePoint == 0x7f) {
          builder.append("\\x");
          appendHex(builder, codePoint, 2);
        } else if (isRawByte(codePoint)) {
          // A byte that is not UTF-8, kept from a \x or octal escape: Go quotes it as itself.
          builder.append("\\x");
          appendHex(builder, codePoint - RAW_BYTE_BASE, 2);
        } else if (Character.isSurrogate((char) codePoint) && codePoint <= 0xffff) {
          // Any other lone surrogate cannot come from UTF-8 input; Go would have decoded the
          // bytes to U+FFFD, which is what it escapes an invalid rune as.
          builder.append("\\ufffd");
        } else if (codePoint < 0x10000) {
          builder.append("\\u");
          appendHex(builder, codePoint, 4);
        } else {
          builder.append("\\U");
          appendHex(builder, codePoint, 8);
        }
      }
    }
  }

  private static void appendHex(StringBuilder builder, int value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      builder.append(HEX_DIGITS[(value >>> shift) & 0xf]);
    }
  }

  /**
   * Go's {@code strconv.IsPrint}: Unicode categories L, M, N, P, S and the ASCII space. Java 17
   * knows Unicode 13, Go 1.21+ knows Unicode 15: a character assigned in between is escaped here
   * and kept by Go.
   */
  static boolean isPrint(int codePoint) {
    if (codePoint < 0x80) {
      return codePoint >= 0x20 && codePoint < 0x7f;
    }
    return switch (Character.getType(codePoint)) {
      case Character.UPPERCASE_LETTER,
          Character.LOWERCASE_LETTER,
          Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER,
          Character.OTHER_LETTER,
          Character.NON_SPACING_MARK,
          Character.ENCLOSING_MARK,
          Character.COMBINING_SPACING_MARK,
          Character.DECIMAL_DIGIT_NUMBER,
          Character.LETTER_NUMBER,
          Character.OTHER_NUMBER,
          Character.CONNECTOR_PUNCTUATION,
          Character.DASH_PUNCTUATION,
          Character.START_PUNCTUATION,
          Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION,
          Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION,
          Character.MATH_SYMBOL,
          Character.CURRENCY_SYMBOL,
          Character.MODIFIER_SYMBOL,
          Character.OTHER_SYMBOL -> true;
      default -> false;
    };
  }

  /**
   * Whether Prometheus prints a label name bare: {@code [a-zA-Z_][a-zA-Z0-9_]*} (Prometheus's
   * legacy label name rule); anything else, including the empty name, is quoted.
   */
  static boolean isLegacyLabelName(String name) {
    int length = name.length();
    if (length == 0) {
      return false;
    }
    for (int index = 0; index < length; index++) {
      char character = name.charAt(index);
      boolean letter =
          character == '_'
              || (character >= 'a' && character <= 'z')
              || (character >= 'A' && character <= 'Z');
      if (!letter && !(index > 0 && character >= '0' && character <= '9')) {
        return false;
      }
    }
    return true;
  }

  /** Appends a label name as Prometheus prints it: bare when legacy, otherwise quoted. */
  static void appendLabelName(StringBuilder builder, String name) {
    if (isLegacyLabelName(name)) {
      builder.append(name);
    } else {
      appendQuoted(builder, name);
    }
  }

  /**
   * Compares as Go compares strings, by their UTF-8 bytes; that is code point order, which
   * differs from {@link String#compareTo} for characters above U+FFFF.
   */
  static int compareUtf8(String left, String right) {
    return GoStrings.compare(left, right);
  }

  /** The length of a string in UTF-8 bytes, which is what Go's {@code len} counts. */
  static int utf8Length(CharSequence text) {
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
  static String trimSpace(String text) {
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
      case '\t', '\n', 0x0b, '\f', '\r', ' ', 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f,
          0x3000 -> true;
      default -> character >= 0x2000 && character <= 0x200a;
    };
  }
}
