package io.promroute.promql;

import java.nio.charset.StandardCharsets;

/**
 * The query being parsed, turning the parser's code point offsets into the positions of a {@link
 * PromQLParseException}: character offsets, and a line and a column counted in UTF-8 bytes as
 * Prometheus counts them (so that messages read exactly as Prometheus's).
 */
final class SourceText {

  private final String query;

  SourceText(String query) {
    this.query = query;
  }

  String query() {
    return query;
  }

  /** An error spanning code points {@code [start, end)}. */
  PromQLParseException error(String reason, int start, int end) {
    boolean ascii = isAscii(query);
    int charStart = toCharOffset(start, ascii);
    int charEnd = Math.max(charStart, toCharOffset(end, ascii));
    int lineStart = query.lastIndexOf('\n', charStart - 1) + 1;
    int line = 1;
    for (int index = 0; index < lineStart; index++) {
      if (query.charAt(index) == '\n') {
        line++;
      }
    }
    int column =
        ascii
            ? charStart - lineStart + 1
            : query.substring(lineStart, charStart).getBytes(StandardCharsets.UTF_8).length + 1;
    return new PromQLParseException(reason, line, column, charStart, charEnd);
  }

  private int toCharOffset(int codePointOffset, boolean ascii) {
    if (codePointOffset <= 0) {
      return 0;
    }
    if (ascii) {
      return Math.min(codePointOffset, query.length());
    }
    int codePoints = query.codePointCount(0, query.length());
    if (codePointOffset >= codePoints) {
      return query.length();
    }
    return query.offsetByCodePoints(0, codePointOffset);
  }

  private static boolean isAscii(String text) {
    for (int index = 0; index < text.length(); index++) {
      if (text.charAt(index) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
