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

  private FormValues() {}

  /**
   * The values of the first of {@code names} present in a URL-encoded form ({@code a=1&b=2}); an
   * empty list when none is. A value that does not decode is given as it is.
   */
  static List<String> of(String form, String... names) {
    if (form == null || form.isEmpty()) {
      return List.of();
    }
    for (String name : names) {
      List<String> values = new ArrayList<>();
      for (String pair : form.split("&")) {
        int equals = pair.indexOf('=');
        String key = decode(equals < 0 ? pair : pair.substring(0, equals));
        if (key.equals(name)) {
          values.add(equals < 0 ? "" : decode(pair.substring(equals + 1)));
        }
      }
      if (!values.isEmpty()) {
        return values;
      }
    }
    return List.of();
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text; // a bad %-escape: the router answers 400, the log shows what came
    }
  }
}
