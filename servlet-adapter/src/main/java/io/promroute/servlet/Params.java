package io.promroute.servlet;

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

  private Params(List<Param> all) {
    this.all = List.copyOf(all);
  }

  static Params of(String urlQuery, String formBody) {
    List<Param> params = new ArrayList<>();
    parse(formBody, params);
    parse(urlQuery, params);
    return new Params(params);
  }

  static Params of(List<Param> params) {
    return new Params(params);
  }

  private static void parse(String encoded, List<Param> into) {
    if (encoded == null || encoded.isEmpty()) {
      return;
    }
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      into.add(new Param(decode(name), decode(value)));
    }
  }

  private static String decode(String encoded) {
    try {
      return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new io.promroute.api.ApiException(
          io.promroute.api.ApiError.badData("error parsing form values: invalid URL escape in \"" + encoded + "\""));
    }
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
   * These parameters with every {@code name} removed and {@code replacements} put, in order,
   * where the first {@code name} was (at the end if there was none).
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
