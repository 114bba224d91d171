package io.promroute.compat;

import java.util.Comparator;

/**
 * Go's string order, which Prometheus uses for matchers, label names and label sets. Not part of
 * PromRoute's API: public only so that the parser, the API layer and the planner share one copy.
 */
public final class GoStrings {

  /** {@link #compare} as a comparator. */
  public static final Comparator<String> ORDER = GoStrings::compare;

  private GoStrings() {}

  /**
   * Compares as Go compares strings, by their UTF-8 bytes; that is code point order, which differs
   * from {@link String#compareTo} for characters above U+FFFF.
   */
  public static int compare(String left, String right) {
    int leftLength = left.length();
    int rightLength = right.length();
    int leftIndex = 0;
    int rightIndex = 0;
    while (leftIndex < leftLength && rightIndex < rightLength) {
      char leftChar = left.charAt(leftIndex);
      char rightChar = right.charAt(rightIndex);
      if (leftChar == rightChar) {
        leftIndex++;
        rightIndex++;
        continue;
      }
      if (!Character.isSurrogate(leftChar) && !Character.isSurrogate(rightChar)) {
        return leftChar - rightChar;
      }
      return Integer.compare(left.codePointAt(leftIndex), right.codePointAt(rightIndex));
    }
    return Integer.compare(leftLength - leftIndex, rightLength - rightIndex);
  }

  /**
   * The bytes of the Go string a Java string stands for: UTF-8, except that a raw-byte character
   * ({@link GoQuote#isRawByte}) is its one byte.
   */
  public static byte[] bytes(String text) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length() + 8);
    for (int index = 0; index < text.length(); ) {
      int codePoint = text.codePointAt(index);
      index += Character.charCount(codePoint);
      if (GoQuote.isRawByte(codePoint)) {
        out.write(codePoint - GoQuote.rawByte(0));
      } else if (Character.isSurrogate((char) codePoint) && codePoint <= 0xFFFF) {
        // No UTF-8 input decodes to another lone surrogate; Go would hold U+FFFD.
        out.writeBytes("\uFFFD".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } else {
        out.writeBytes(
            new String(Character.toChars(codePoint))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return out.toByteArray();
  }
}
