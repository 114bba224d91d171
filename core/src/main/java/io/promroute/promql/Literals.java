package io.promroute.promql;

import io.promroute.compat.GoQuote;
import java.math.BigInteger;

/** Values of number, duration and string tokens, with Go's parsing rules and error texts. */
final class Literals {

  /** Nanoseconds in a millisecond, second, ... as Prometheus's model.ParseDuration counts them. */
  private static final long MILLISECOND = 1_000_000L;

  private Literals() {}

  /** Thrown with Prometheus's message; the caller adds the position. */
  static final class LiteralException extends Exception {
    private static final long serialVersionUID = 1L;

    LiteralException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * A NUMBER token's value: Go's {@code strconv.ParseInt(s, 0, 64)}, falling back to {@code
   * strconv.ParseFloat(s, 64)}, as Prometheus's parser does.
   */
  static double number(String text) throws LiteralException {
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("inf")) {
      return Double.POSITIVE_INFINITY;
    }
    if (lower.equals("nan")) {
      return Double.NaN;
    }
    String digits = text.indexOf('_') >= 0 ? text.replace("_", "") : text;
    Long integer = parseInteger(digits);
    if (integer != null) {
      return integer;
    }
    return parseFloat(text, digits);
  }

  /** Go's ParseInt with base 0, or null where it fails. */
  private static Long parseInteger(String digits) {
    int radix = 10;
    String body = digits;
    if (digits.length() > 1 && digits.charAt(0) == '0') {
      char second = digits.charAt(1);
      if (second == 'x' || second == 'X') {
        radix = 16;
        body = digits.substring(2);
      } else {
        radix = 8;
        body = digits.substring(1);
      }
    }
    if (body.isEmpty()) {
      return null;
    }
    for (int index = 0; index < body.length(); index++) {
      if (Character.digit(body.charAt(index), radix) < 0) {
        return null;
      }
    }
    if (body.length() <= 15 && radix == 10) {
      return Long.parseLong(body);
    }
    // No int64 has more than 22 digits in any of these bases; longer inputs (hostile ones of a
    // million digits) skip the quadratic BigInteger conversion.
    int significant = body.length();
    for (int index = 0; index < body.length() - 1 && body.charAt(index) == '0'; index++) {
      significant--;
    }
    if (significant > 22) {
      return null;
    }
    BigInteger value = new BigInteger(body, radix);
    return value.bitLength() < 64 ? value.longValue() : null;
  }

  private static double parseFloat(String original, String digits) throws LiteralException {
    char first = digits.isEmpty() ? ' ' : digits.charAt(0);
    boolean hexadecimal =
        digits.length() > 1 && first == '0' && (digits.charAt(1) == 'x' || digits.charAt(1) == 'X');
    if (hexadecimal) {
      // Go needs a 'p' exponent in a hexadecimal float, which the lexer never lets through.
      throw new LiteralException(
          "error parsing number: strconv.ParseFloat: parsing "
              + GoQuote.quote(original)
              + ": invalid syntax");
    }
    double value;
    try {
      value = Double.parseDouble(digits);
    } catch (NumberFormatException e) {
      throw new LiteralException(
          "error parsing number: strconv.ParseFloat: parsing "
              + GoQuote.quote(original)
              + ": invalid syntax");
    }
    if (Double.isInfinite(value)) {
      throw new LiteralException(
          "error parsing number: strconv.ParseFloat: parsing "
              + GoQuote.quote(original)
              + ": value out of range");
    }
    return value;
  }

  /**
   * A DURATION token's value in nanoseconds, as Prometheus's {@code model.ParseDuration}: units
   * from the largest to the smallest, each at most once, and no more than about 292 years.
   */
  static long durationNanos(String text) throws LiteralException {
    if (text.equals("0")) {
      return 0;
    }
    if (text.isEmpty()) {
      throw new LiteralException("empty duration string");
    }
    String rest = text;
    long total = 0;
    int lastUnit = -1;
    while (!rest.isEmpty()) {
      if (!isDigit(rest.charAt(0))) {
        throw invalidDuration(text);
      }
      int index = 0;
      while (index < rest.length() && isDigit(rest.charAt(index))) {
        index++;
      }
      long amount;
      try {
        amount = Long.parseUnsignedLong(rest, 0, index, 10);
      } catch (NumberFormatException e) {
        throw invalidDuration(text);
      }
      rest = rest.substring(index);
      index = 0;
      while (index < rest.length() && !isDigit(rest.charAt(index))) {
        index++;
      }
      if (index == 0) {
        throw invalidDuration(text);
      }
      String unitName = rest.substring(0, index);
      rest = rest.substring(index);
      int unit = unitIndex(unitName);
      if (unit < 0) {
        throw new LiteralException(
            "unknown unit " + GoQuote.quote(unitName) + " in duration " + GoQuote.quote(text));
      }
      if (unit <= lastUnit) {
        throw invalidDuration(text);
      }
      lastUnit = unit;
      if (Long.compareUnsigned(amount, Long.divideUnsigned(1L << 63, UNIT_NANOS[unit])) > 0) {
        throw new LiteralException("duration out of range");
      }
      long added = amount * UNIT_NANOS[unit];
      if (Long.MAX_VALUE - total < added) {
        throw new LiteralException("duration out of range");
      }
      total += added;
    }
    return total;
  }

  private static final String[] UNIT_NAMES = {"y", "w", "d", "h", "m", "s", "ms"};
  private static final long[] UNIT_NANOS = {
    365L * 24 * 3600 * 1000 * MILLISECOND,
    7L * 24 * 3600 * 1000 * MILLISECOND,
    24L * 3600 * 1000 * MILLISECOND,
    3600L * 1000 * MILLISECOND,
    60L * 1000 * MILLISECOND,
    1000L * MILLISECOND,
    MILLISECOND
  };

  private static int unitIndex(String name) {
    for (int index = 0; index < UNIT_NAMES.length; index++) {
      if (UNIT_NAMES[index].equals(name)) {
        return index;
      }
    }
    return -1;
  }

  private static LiteralException invalidDuration(String text) {
    return new LiteralException("not a valid duration string: " + GoQuote.quote(text));
  }

  private static boolean isDigit(char character) {
    return character >= '0' && character <= '9';
  }

  /**
   * The value of a STRING token that the lexer validated: Go's unquoting of a double-, single- or
   * backtick-quoted string.
   */
  static String unquote(String token) {
    char quote = token.charAt(0);
    String body = token.substring(1, token.length() - 1);
    if (quote == '`' || body.indexOf('\\') < 0) {
      return body;
    }
    StringBuilder builder = new StringBuilder(body.length());
    // Octal and \x escapes are bytes in Go; consecutive ones may form one UTF-8 character.
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    int index = 0;
    while (index < body.length()) {
      char current = body.charAt(index);
      if (current != '\\') {
        flushBytes(bytes, builder);
        builder.append(current);
        index++;
        continue;
      }
      char escaped = body.charAt(index + 1);
      index += 2;
      switch (escaped) {
        case 'a' -> appendChar(bytes, builder, 0x07);
        case 'b' -> appendChar(bytes, builder, '\b');
        case 'f' -> appendChar(bytes, builder, '\f');
        case 'n' -> appendChar(bytes, builder, '\n');
        case 'r' -> appendChar(bytes, builder, '\r');
        case 't' -> appendChar(bytes, builder, '\t');
        case 'v' -> appendChar(bytes, builder, 0x0B);
        case 'x' -> {
          bytes.write(Integer.parseInt(body.substring(index, index + 2), 16));
          index += 2;
        }
        case 'u' -> {
          appendChar(bytes, builder, Integer.parseInt(body.substring(index, index + 4), 16));
          index += 4;
        }
        case 'U' -> {
          appendChar(bytes, builder, Integer.parseInt(body.substring(index, index + 8), 16));
          index += 8;
        }
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          bytes.write(Integer.parseInt(body.substring(index - 1, index + 2), 8));
          index += 2;
        }
        default -> appendChar(bytes, builder, escaped);
      }
    }
    flushBytes(bytes, builder);
    return builder.toString();
  }

  private static void appendChar(
      java.io.ByteArrayOutputStream bytes, StringBuilder builder, int codePoint) {
    flushBytes(bytes, builder);
    builder.appendCodePoint(codePoint);
  }

  /**
   * Appends escaped bytes as Go keeps them: each well-formed UTF-8 sequence as its character, each
   * other byte as itself, which a Java string holds as {@link GoQuote#rawByte} (Go's {@code "\xff"}
   * is the one byte 0xff, and prints back as {@code "\xff"}).
   */
  private static void flushBytes(java.io.ByteArrayOutputStream bytes, StringBuilder builder) {
    if (bytes.size() == 0) {
      return;
    }
    byte[] raw = bytes.toByteArray();
    bytes.reset();
    int index = 0;
    while (index < raw.length) {
      int length = utf8SequenceLength(raw, index);
      if (length == 0) {
        builder.append(GoQuote.rawByte(raw[index] & 0xff));
        index++;
      } else {
        builder.append(new String(raw, index, length, java.nio.charset.StandardCharsets.UTF_8));
        index += length;
      }
    }
  }

  /**
   * The length of the well-formed UTF-8 sequence at {@code index} (Go's {@code utf8.DecodeRune}: no
   * overlong forms, no surrogates, nothing above U+10FFFF), or 0 if there is none.
   */
  private static int utf8SequenceLength(byte[] raw, int index) {
    int first = raw[index] & 0xff;
    if (first < 0x80) {
      return 1;
    }
    int length;
    int low = 0x80;
    int high = 0xbf;
    if (first >= 0xc2 && first <= 0xdf) {
      length = 2;
    } else if (first >= 0xe0 && first <= 0xef) {
      length = 3;
      low = first == 0xe0 ? 0xa0 : 0x80;
      high = first == 0xed ? 0x9f : 0xbf;
    } else if (first >= 0xf0 && first <= 0xf4) {
      length = 4;
      low = first == 0xf0 ? 0x90 : 0x80;
      high = first == 0xf4 ? 0x8f : 0xbf;
    } else {
      return 0;
    }
    if (index + length > raw.length) {
      return 0;
    }
    for (int offset = 1; offset < length; offset++) {
      int next = raw[index + offset] & 0xff;
      if (next < (offset == 1 ? low : 0x80) || next > (offset == 1 ? high : 0xbf)) {
        return 0;
      }
    }
    return length;
  }
}
