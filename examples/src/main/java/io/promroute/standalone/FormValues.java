package io.promroute.standalone;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads values out of a URL-encoded form, for the access log: the query of a GET URL or a POSTed
 * body.
 */
final class FormValues {

  /**
   * The most bytes one character takes in a URL-encoded form: three bytes of UTF-8, each escaped (a
   * character outside the BMP is two Java characters of twelve bytes).
   */
  private static final int MAX_ENCODED_CHAR_BYTES = 9;

  private FormValues() {}

  /**
   * The values of the first of {@code names} present in a URL-encoded form ({@code a=1&b=2}); an
   * empty list when none is. A value that does not decode is given as it is.
   */
  static List<String> of(String form, String... names) {
    if (form == null || form.isEmpty()) {
      return List.of();
    }
    return of(form.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE, names);
  }

  /**
   * As {@link #of(String, String...)}, from a form's bytes, each value decoded only as far as its
   * first {@code maxChars} characters and one more: logging a large body's query decodes what the
   * log shows, not the whole body again.
   */
  static List<String> of(byte[] form, int maxChars, String... names) {
    long keep = MAX_ENCODED_CHAR_BYTES * ((long) maxChars + 1);
    int longestName = 0;
    for (String name : names) {
      longestName = Math.max(longestName, name.length());
    }
    for (String name : names) {
      List<String> values = new ArrayList<>();
      for (int start = 0, end; start < form.length; start = end + 1) {
        end = indexOf(form, '&', start);
        int equals = Math.min(indexOf(form, '=', start), end);
        if (equals - start > MAX_ENCODED_CHAR_BYTES * longestName
            || !decode(form, start, equals).equals(name)) {
          continue;
        }
        int valueStart = Math.min(equals + 1, end);
        int valueEnd = (int) Math.min(end, valueStart + keep);
        if (valueEnd < end) {
          // Not within an escape, which would not decode.
          int percent = indexOf(form, '%', Math.max(valueStart, valueEnd - 2));
          valueEnd = Math.min(valueEnd, percent);
        }
        values.add(decode(form, valueStart, valueEnd));
      }
      if (!values.isEmpty()) {
        return values;
      }
    }
    return List.of();
  }

  /** The index of {@code b} at or after {@code from}, or the form's length. */
  private static int indexOf(byte[] form, char b, int from) {
    for (int i = from; i < form.length; i++) {
      if (form[i] == b) {
        return i;
      }
    }
    return form.length;
  }

  private static String decode(byte[] form, int from, int to) {
    String text = new String(form, from, to - from, StandardCharsets.UTF_8);
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text; // a bad %-escape: the router answers 400, the log shows what came
    }
  }
}
