package io.promroute.compat;

import java.util.Locale;

/**
 * Go's quoting ({@code strconv.Quote}, {@code %q} of a rune, {@code %#U}), so that printed queries
 * and error messages read exactly as Prometheus's. The one copy: the printer, the parser's error
 * messages and the router's messages all quote through here.
 */
public final class GoQuote {

  private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

  private GoQuote() {}

  /**
   * Go's {@code strconv.Quote}: double quotes; {@code \a \b \f \n \r \t \v \\ \"}; other
   * non-printable characters as {@code \xNN}, {@code \\uNNNN} or {@code \UNNNNNNNN}; printable
   * Unicode (letters, marks, numbers, punctuation, symbols, ASCII space) kept as is.
   *
   * @param value the string to quote
   * @return {@code value} in double quotes with Go's escapes
   */
  public static String quote(String value) {
    StringBuilder builder = new StringBuilder(value.length() + 2);
    appendQuoted(builder, value);
    return builder.toString();
  }

  /**
   * Appends {@link #quote}{@code (value)}.
   *
   * @param builder where to append
   * @param value the string to quote
   */
  public static void appendQuoted(StringBuilder builder, String value) {
    builder.append('"');
    int length = value.length();
    for (int index = 0; index < length; ) {
      int codePoint = value.codePointAt(index);
      index += Character.charCount(codePoint);
      appendEscaped(builder, codePoint, '"');
    }
    builder.append('"');
  }

  /**
   * Go's {@code %q} of a rune: a single-quoted character with Go's escapes; a negative (invalid)
   * rune as U+FFFD, as Go prints it.
   *
   * @param codePoint the character
   * @return the character in single quotes
   */
  public static String quoteRune(int codePoint) {
    StringBuilder builder = new StringBuilder(8);
    builder.append('\'');
    appendEscaped(builder, codePoint < 0 ? 0xFFFD : codePoint, '\'');
    return builder.append('\'').toString();
  }

  /**
   * Go's {@code %#U}: {@code U+0063 'c'}, without the character when it is not printable.
   *
   * @param codePoint the character
   * @return its Unicode notation
   */
  public static String unicodeNotation(int codePoint) {
    StringBuilder builder = new StringBuilder("U+");
    String hex = Integer.toHexString(codePoint).toUpperCase(Locale.ROOT);
    builder.append("0".repeat(Math.max(0, 4 - hex.length()))).append(hex);
    if (isPrint(codePoint)) {
      builder.append(" '").appendCodePoint(codePoint).append('\'');
    }
    return builder.toString();
  }

  /**
   * Go strings are bytes and may hold bytes that are not UTF-8 ({@code "\xff"}); a Java string
   * holds such a byte {@code b} (0x80 to 0xff) as the lone surrogate {@code U+DC00 + b}, which no
   * well-formed text contains (Python's "surrogateescape").
   */
  private static final int RAW_BYTE_BASE = 0xdc00;

  /**
   * The character that stands for a byte that is not UTF-8.
   *
   * @param b the byte, 0x80 to 0xff
   * @return the lone surrogate that holds it in a Java string
   */
  public static char rawByte(int b) {
    return (char) (RAW_BYTE_BASE + b);
  }

  /**
   * Whether a character stands for a byte that is not UTF-8 (see {@link #rawByte}).
   *
   * @param codePoint the character
   * @return whether it is one of the 128 raw-byte surrogates
   */
  public static boolean isRawByte(int codePoint) {
    return codePoint >= RAW_BYTE_BASE + 0x80 && codePoint <= RAW_BYTE_BASE + 0xff;
  }

  private static void appendEscaped(StringBuilder builder, int codePoint, char quote) {
    if (codePoint == quote || codePoint == '\\') {
      builder.append('\\').append((char) codePoint);
      return;
    }
    if (codePoint == 0xfffd) {
      // Deliberate deviation: Go prints U+FFFD as itself, which Prometheus's lexer then refuses
      // ("invalid UTF-8 rune": it cannot tell it from a bad byte); shards must parse what we print.
      builder.append("\\ufffd");
      return;
    }
    if (isPrint(codePoint)) {
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
   * Go's {@code strconv.IsPrint} (the same set as {@code unicode.IsPrint}): Unicode categories L,
   * M, N, P, S and the ASCII space, so not U+00A0 or other spaces. Java 17 knows Unicode 13, Go
   * 1.21+ knows Unicode 15: a character assigned in between is escaped here and kept by Go.
   *
   * @param codePoint the character
   * @return whether Go prints it unescaped
   */
  public static boolean isPrint(int codePoint) {
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
          Character.OTHER_SYMBOL ->
          true;
      default -> false;
    };
  }
}
