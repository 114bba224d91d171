package io.promroute.router;

import io.promroute.compat.GoQuote;
import java.net.URLDecoder;
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
    List<Param> params = new ArrayList<>();
    String bodyError = parse(formBody, params);
    String urlError = parse(urlQuery, params);
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

  // Go's url.ParseQuery (Go 1.17+), with its error precedence: a semicolon's error replaces any
  // earlier one, an escape's error is kept only if there is none yet.
  private static String parse(String encoded, List<Param> into) {
    if (encoded == null || encoded.isEmpty()) {
      return null;
    }
    String error = null;
    for (String pair : encoded.split("&", -1)) {
      if (pair.indexOf(';') >= 0) {
        error = "invalid semicolon separator in query";
        continue;
      }
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      String badName = badEscape(name);
      String badValue = badName == null ? badEscape(value) : null;
      if (badName != null || badValue != null) {
        if (error == null) {
          error = "invalid URL escape " + GoQuote.quote(badName != null ? badName : badValue);
        }
        continue;
      }
      into.add(new Param(decode(name), decode(value)));
    }
    return error;
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

  private static String decode(String encoded) {
    return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
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
