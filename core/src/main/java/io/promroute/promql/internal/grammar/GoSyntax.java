package io.promroute.promql.internal.grammar;

/**
 * Go's quoting rules ({@code strconv.Quote}, {@code %q} of a rune, {@code %#U}), so that error
 * messages read exactly as Prometheus's. Internal: not part of PromRoute's API.
 */
public final class GoSyntax {

  private GoSyntax() {}

  /** Go's {@code strconv.Quote}: a double-quoted string with Go escapes. */
  public static String quote(String value) {
    StringBuilder builder = new StringBuilder(value.length() + 2);
    builder.append('"');
    for (int index = 0; index < value.length(); ) {
      int codePoint = value.codePointAt(index);
      index += Character.charCount(codePoint);
      appendEscaped(builder, codePoint, '"');
    }
    return builder.append('"').toString();
  }

  /** Go's {@code %q} of a rune: a single-quoted character with Go escapes. */
  public static String quoteRune(int codePoint) {
    StringBuilder builder = new StringBuilder(8);
    builder.append('\'');
    appendEscaped(builder, codePoint < 0 ? 0xFFFD : codePoint, '\'');
    return builder.append('\'').toString();
  }

  /** Go's {@code %#U}: {@code U+0063 'c'}, without the character when it is not printable. */
  public static String unicodeNotation(int codePoint) {
    String hex = Integer.toHexString(codePoint).toUpperCase(java.util.Locale.ROOT);
    String notation = "U+" + "0000".substring(Math.min(4, hex.length())) + hex;
    if (isPrintable(codePoint)) {
      notation += " '" + new String(Character.toChars(codePoint)) + "'";
    }
    return notation;
  }

  private static void appendEscaped(StringBuilder builder, int codePoint, char quote) {
    if (codePoint == quote || codePoint == '\\') {
      builder.append('\\').appendCodePoint(codePoint);
      return;
    }
    if (isPrintable(codePoint)) {
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
      case 0x0B -> builder.append("\\v");
      default -> {
        if (codePoint < 0x80) {
          builder.append("\\x").append(hex(codePoint, 2));
        } else if (codePoint < 0x10000) {
          builder.append("\\u").append(hex(codePoint, 4));
        } else {
          builder.append("\\U").append(hex(codePoint, 8));
        }
      }
    }
  }

  private static String hex(int value, int digits) {
    String hex = Integer.toHexString(value);
    return "0".repeat(Math.max(0, digits - hex.length())) + hex;
  }

  /** An approximation of Go's {@code unicode.IsPrint}: graphic characters and the ASCII space. */
  static boolean isPrintable(int codePoint) {
    if (codePoint == ' ') {
      return true;
    }
    if (codePoint < 0x20 || codePoint == 0x7F) {
      return false;
    }
    return switch (Character.getType(codePoint)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.SURROGATE,
          Character.PRIVATE_USE,
          Character.UNASSIGNED,
          Character.SPACE_SEPARATOR,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR -> false;
      default -> true;
    };
  }
}
