package io.promroute.router;

import io.promroute.compat.GoQuote;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request's parameters as Prometheus reads them: the form body's first, then the URL query's
 * (Go's {@code r.Form}), each list in order. Read from the raw query string and body, never through
 * {@code getParameter}, so nothing is decoded twice or lost.
 */
final class Params {

  record Param(String name, String value) {}

  private final List<Param> all;
  // What Go's ParseForm would return: the error of a pair it dropped, or null.
  private final String formError;

  private Params(List<Param> all, String formError) {
    this.all = List.copyOf(all);
    this.formError = formError;
  }

  private Params(List<Param> all) {
    this(all, null);
  }

  /**
   * Parses as Go's {@code ParseForm}: a pair Go cannot read (a bad escape, a semicolon) is dropped,
   * the others are kept, and the error is remembered for the endpoints that check it ({@link
   * #formError}); most Prometheus endpoints read what is left.
   */
  static Params of(String urlQuery, String formBody) {
    return of(
        urlQuery,
        formBody == null ? null : formBody.getBytes(StandardCharsets.UTF_8),
        BodyMemory.NONE);
  }

  /**
   * Parses as {@link #of(String, String)}, the form body from its bytes, without decoding it whole
   * first: what the parameters keep (and, for a moment, the bytes a value is unescaped into) is
   * counted in {@code memory} before it is made.
   */
  static Params of(String urlQuery, byte[] formBody, BodyMemory memory) {
    List<Param> params = new ArrayList<>();
    String bodyError = parse(formBody, params, memory);
    String urlError =
        urlQuery == null
            ? null
            : parse(urlQuery.getBytes(StandardCharsets.UTF_8), params, BodyMemory.NONE);
    return new Params(params, bodyError != null ? bodyError : urlError);
  }

  /** These parameters followed by {@code more} (the same form error). */
  Params appending(List<Param> more) {
    List<Param> result = new ArrayList<>(all);
    result.addAll(more);
    return new Params(result, formError);
  }

  static Params of(List<Param> params) {
    return new Params(params);
  }

  /**
   * What a parameter costs besides its name's and value's strings: the pair and its places in the
   * lists that hold it.
   */
  static final long PARAM_BYTES = 48;

  // Go's url.ParseQuery (Go 1.17+), with its error precedence: a semicolon's error replaces any
  // earlier one, an escape's error is kept only if there is none yet. Over bytes, as Go reads them:
  // '&', ';', '=' and '%' are ASCII, which no UTF-8 sequence contains.
  private static String parse(byte[] encoded, List<Param> into, BodyMemory memory) {
    if (encoded == null) {
      return null;
    }
    String error = null;
    for (int start = 0, end; start <= encoded.length; start = end + 1) {
      end = indexOf(encoded, '&', start, encoded.length);
      if (indexOf(encoded, ';', start, end) < end) {
        error = "invalid semicolon separator in query";
        continue;
      }
      if (start == end) {
        continue;
      }
      int equals = indexOf(encoded, '=', start, end);
      int valueStart = Math.min(equals + 1, end);
      if (isEscaped(encoded, start, equals) && isEscaped(encoded, valueStart, end)) {
        memory.reserve(PARAM_BYTES);
        into.add(
            new Param(
                unescape(encoded, start, equals, memory),
                unescape(encoded, valueStart, end, memory)));
      } else if (error == null) {
        // Rare: the pair's text, uncounted, for the message.
        String name = new String(encoded, start, equals - start, StandardCharsets.UTF_8);
        String badName = badEscape(name);
        error =
            "invalid URL escape "
                + GoQuote.quote(
                    badName != null
                        ? badName
                        : badEscape(
                            new String(
                                encoded, valueStart, end - valueStart, StandardCharsets.UTF_8)));
      }
    }
    return error;
  }

  /** The index of {@code b} in {@code [from, to)}, or {@code to}. */
  private static int indexOf(byte[] bytes, char b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return to;
  }

  /** Whether every {@code %} in {@code [from, to)} is followed by two hex digits. */
  private static boolean isEscaped(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == '%') {
        if (i + 2 >= to || !isHex((char) bytes[i + 1]) || !isHex((char) bytes[i + 2])) {
          return false;
        }
        i += 2;
      }
    }
    return true;
  }

  /**
   * Go's {@code QueryUnescape} of {@code [from, to)}, whose escapes are valid: each {@code %XX} to
   * its byte, {@code +} to a space, the bytes then read as UTF-8, counted in {@code memory}.
   */
  private static String unescape(byte[] encoded, int from, int to, BodyMemory memory) {
    int escapes = 0;
    boolean plus = false;
    for (int i = from; i < to; i++) {
      if (encoded[i] == '%') {
        escapes++;
        i += 2;
      } else if (encoded[i] == '+') {
        plus = true;
      }
    }
    if (escapes == 0 && !plus) {
      return memory.text(encoded, from, to - from);
    }
    int length = to - from - 2 * escapes;
    memory.reserve(HeapArrays.bytes(length));
    byte[] bytes = new byte[length];
    for (int i = from, at = 0; i < to; i++, at++) {
      byte b = encoded[i];
      if (b == '%') {
        bytes[at] =
            (byte) (Character.digit(encoded[i + 1], 16) << 4 | Character.digit(encoded[i + 2], 16));
        i += 2;
      } else {
        bytes[at] = b == '+' ? (byte) ' ' : b;
      }
    }
    String text = memory.text(bytes, 0, length);
    memory.release(HeapArrays.bytes(length));
    return text;
  }

  /**
   * Go's {@code url.EscapeError}: the first {@code %} not followed by two hex digits, up to 3
   * characters; or null.
   */
  private static String badEscape(String encoded) {
    for (int i = encoded.indexOf('%'); i >= 0; i = encoded.indexOf('%', i + 1)) {
      if (i + 2 >= encoded.length()
          || !isHex(encoded.charAt(i + 1))
          || !isHex(encoded.charAt(i + 2))) {
        return encoded.substring(i, Math.min(i + 3, encoded.length()));
      }
      i += 2;
    }
    return null;
  }

  private static boolean isHex(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }

  /**
   * The error Go's {@code ParseForm} would return for this request ({@code invalid URL escape
   * "%zz"}), body's first; or null. The pair is dropped from {@link #all} either way.
   */
  String formError() {
    return formError;
  }

  List<Param> all() {
    return all;
  }

  /** Every value of {@code name}, body values first. */
  List<String> values(String name) {
    List<String> values = new ArrayList<>();
    for (Param param : all) {
      if (param.name().equals(name)) {
        values.add(param.value());
      }
    }
    return values;
  }

  /** Go's {@code FormValue}: the first value, or {@code ""}. */
  String first(String name) {
    for (Param param : all) {
      if (param.name().equals(name)) {
        return param.value();
      }
    }
    return "";
  }

  /**
   * These parameters with every {@code name} removed and {@code replacements} put, in order, where
   * the first {@code name} was (at the end if there was none).
   */
  Params replacing(String name, List<String> replacements) {
    List<Param> result = new ArrayList<>();
    boolean placed = false;
    for (Param param : all) {
      if (!param.name().equals(name)) {
        result.add(param);
      } else if (!placed) {
        replacements.forEach(value -> result.add(new Param(name, value)));
        placed = true;
      }
    }
    if (!placed) {
      replacements.forEach(value -> result.add(new Param(name, value)));
    }
    return new Params(result);
  }

  /** {@code application/x-www-form-urlencoded}: the URL query of a GET, the body of a POST. */
  String encode() {
    StringBuilder out = new StringBuilder();
    for (Param param : all) {
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(URLEncoder.encode(param.name(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(param.value(), StandardCharsets.UTF_8));
    }
    return out.toString();
  }
}
