package io.promroute.standalone;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * How an access log line is written: {@code logfmt} (Prometheus's default log format) or one JSON
 * object per line. Every value that comes from the client (path, query, error text) is quoted and
 * escaped, so that no request can start a line of its own or forge a field.
 */
enum AccessLogFormat {
  LOGFMT,
  JSON;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /**
   * One request, as the access log reports it.
   *
   * @param query the PromQL of the request ({@code query}, or the {@code match[]} selectors),
   *     already cut to the configured length; {@code null} when the endpoint takes none
   * @param shards the shards asked, sorted
   * @param bytes the response body's length before compression
   * @param error the error message of a response that is not a success, {@code null} otherwise
   */
  record Entry(
      Instant time,
      String remote,
      String method,
      String path,
      String query,
      List<String> shards,
      int status,
      double seconds,
      long bytes,
      String error) {}

  /** {@code logfmt} or {@code json}, as the command line spells it. */
  static AccessLogFormat parse(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "logfmt" -> LOGFMT;
      case "json" -> JSON;
      default ->
          throw new IllegalArgumentException(
              "\"" + name + "\" is not an access log format (logfmt, json)");
    };
  }

  /**
   * The line, without a line separator. Built by hand: String.format costs more than the request.
   */
  String line(Entry entry) {
    Line line = new Line(this);
    line.text("ts", TIME.format(entry.time()), false)
        .text("remote", entry.remote(), false)
        .text("method", entry.method(), false)
        .text("path", entry.path(), true);
    if (entry.query() != null) {
      line.text("query", entry.query(), true);
    }
    line.text("shards", entry.shards().isEmpty() ? "" : String.join(",", entry.shards()), false)
        .number("status", Integer.toString(entry.status()));
    long micros = Math.round(entry.seconds() * 1_000_000);
    long fraction = micros % 1000;
    line.number(
            "duration_ms",
            (micros / 1000) + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction)
        .number("bytes", Long.toString(entry.bytes()));
    if (entry.error() != null) {
      line.text("error", entry.error(), true);
    }
    return line.end();
  }

  /** A line of the access log about the log itself, e.g. lines it had to drop. */
  String notice(Instant time, String message) {
    return new Line(this).text("ts", TIME.format(time), false).text("msg", message, true).end();
  }

  private static final class Line {
    private final boolean json;
    private final StringBuilder text = new StringBuilder(200);

    Line(AccessLogFormat format) {
      this.json = format == JSON;
      if (json) {
        text.append('{');
      }
    }

    private void key(String key) {
      if (json) {
        text.append(text.length() == 1 ? "\"" : ",\"").append(key).append("\":");
      } else {
        text.append(text.isEmpty() ? "" : " ").append(key).append('=');
      }
    }

    /** A string; in logfmt quoted when {@code alwaysQuote} or when it needs quotes. */
    Line text(String key, String value, boolean alwaysQuote) {
      key(key);
      String safe = value == null ? "" : value;
      if (json || alwaysQuote || needsQuotes(safe)) {
        quote(safe);
      } else {
        text.append(safe);
      }
      return this;
    }

    Line number(String key, String value) {
      key(key);
      text.append(value);
      return this;
    }

    String end() {
      if (json) {
        text.append('}');
      }
      return text.toString();
    }

    private static boolean needsQuotes(String value) {
      if (value.isEmpty()) {
        return true;
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) {
          return true;
        }
      }
      return false;
    }

    /**
     * JSON's string escapes (Jackson's), which logfmt readers (go-logfmt, Loki) also decode: a
     * quote, backslash or control character never appears raw, so a value cannot end its field or
     * its line.
     */
    private void quote(String value) {
      text.append('"');
      JsonStringEncoder.getInstance().quoteAsString(value, text);
      text.append('"');
    }
  }
}
