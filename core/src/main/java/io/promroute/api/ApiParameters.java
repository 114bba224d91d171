package io.promroute.api;

import io.promroute.compat.GoQuote;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates request parameters as Prometheus's HTTP API parses them, with its messages, so that a
 * request Prometheus would refuse is refused before any shard is contacted. Values are never
 * changed: shards receive the parameters exactly as sent.
 */
public final class ApiParameters {

  // Go's strconv.ParseFloat: decimal or hexadecimal floats, Inf, Infinity, NaN; no suffixes,
  // no surrounding spaces (Java's Double.parseDouble accepts both).
  private static final Pattern GO_FLOAT =
      Pattern.compile(
          "[+-]?(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
              + "|0[xX](?:[0-9a-fA-F]+(?:\\.[0-9a-fA-F]*)?|\\.[0-9a-fA-F]+)[pP][+-]?[0-9]+"
              + "|(?i:inf|infinity))|(?i:nan)"); // Go's ParseFloat: no sign before NaN
  private static final Pattern PROMETHEUS_DURATION =
      Pattern.compile(
          "(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?");
  private static final long[] DURATION_UNIT_MILLIS = {
    365L * 24 * 3600 * 1000,
    7L * 24 * 3600 * 1000,
    24L * 3600 * 1000,
    3600L * 1000,
    60L * 1000,
    1000L,
    1L
  };
  private static final DateTimeFormatter RFC3339 =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
          .optionalEnd()
          .appendOffset("+HH:MM", "Z")
          .toFormatter()
          .withResolverStyle(ResolverStyle.STRICT);

  /**
   * Go's {@code time.Parse(time.RFC3339Nano, ...)} reads the fraction of a second after a comma as
   * after a period; {@link #RFC3339} reads a period only.
   */
  private static final Pattern COMMA_FRACTION =
      Pattern.compile(
          "([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}),([0-9].*)", Pattern.DOTALL);

  // Prometheus's own boundary times, which Go's parser cannot read but Prometheus accepts.
  private static final String MIN_TIME = "-292273086-05-16T16:47:06Z";
  private static final String MAX_TIME = "292277025-08-18T07:12:54.999999999Z";
  private static final int MAX_POINTS = 11_000;

  private ApiParameters() {}

  /**
   * Checks the parameters of a request to {@code endpoint} as Prometheus would, except the PromQL
   * itself (the router parses that).
   *
   * @param values every value of a parameter, body values first (Go's {@code r.Form}); empty list
   *     when absent
   * @throws ApiException 400 {@code bad_data} with Prometheus's message
   */
  public static void validate(Endpoint endpoint, Function<String, List<String>> values) {
    Function<String, String> first =
        name -> {
          List<String> all = values.apply(name);
          return all.isEmpty() ? "" : all.get(0);
        };
    switch (endpoint) {
      case QUERY -> {
        optionalTime(first, "time");
        timeout(first);
      }
      case QUERY_RANGE -> {
        double start = seconds(parseTimeOrThrow("start", first.apply("start")));
        double end = seconds(parseTimeOrThrow("end", first.apply("end")));
        if (end < start) {
          throw badData("invalid parameter \"end\": end timestamp must not be before start time");
        }
        Duration step = parseDuration("step", first.apply("step"));
        if (step.isNegative() || step.isZero()) {
          throw badData(
              "invalid parameter \"step\": zero or negative query resolution step widths are not"
                  + " accepted. Try a positive integer");
        }
        double stepSeconds = step.toNanos() / 1e9;
        if ((end - start) / stepSeconds > MAX_POINTS + 1e-9) {
          throw badData(
              "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the"
                  + " query resolution (?step=XX)");
        }
        timeout(first);
      }
      case QUERY_EXEMPLARS -> {
        Instant start = optionalTime(first, "start");
        Instant end = optionalTime(first, "end");
        if (start != null && end != null && end.isBefore(start)) {
          throw badData("end timestamp must not be before start timestamp");
        }
      }
      case SERIES -> {
        if (values.apply("match[]").isEmpty()) {
          throw badData("no match[] parameter provided");
        }
        optionalTime(first, "start");
        optionalTime(first, "end");
      }
      case LABELS, LABEL_VALUES -> {
        // limit is left to the shards: Prometheus 3 refuses a bad one, 2.x ignores it.
        optionalTime(first, "start");
        optionalTime(first, "end");
      }
      case METADATA, RULES, ALERTS, BUILD_INFO, FORMAT_QUERY, PARSE_QUERY -> {}
    }
  }

  /**
   * Prometheus 3's {@code limit} of series, labels and label values: empty or a non-negative
   * integer; 0 means no limit.
   *
   * @throws ApiException with Prometheus 3's message if it is neither
   */
  public static int limit(String value) {
    if (value.isEmpty()) {
      return 0;
    }
    long limit;
    try {
      limit = Long.parseLong(value);
    } catch (NumberFormatException e) {
      String reason = value.matches("[+-]?[0-9]+") ? "value out of range" : "invalid syntax";
      throw badData(
          "invalid parameter \"limit\": strconv.Atoi: parsing "
              + GoQuote.quote(value)
              + ": "
              + reason);
    }
    if (limit < 0) {
      throw badData("invalid parameter \"limit\": limit must be non-negative");
    }
    return (int) Math.min(limit, Integer.MAX_VALUE);
  }

  /**
   * Parses a time as Prometheus does: Unix seconds as a float (rounded to milliseconds) or RFC
   * 3339.
   *
   * @throws ApiException {@code invalid parameter "<name>": cannot parse "<value>" to a valid
   *     timestamp}
   */
  public static Instant parseTime(String name, String value) {
    return parseTimeOrThrow(name, value);
  }

  /**
   * The evaluation time in milliseconds Prometheus's engine gets for this time parameter: Go's
   * {@code timestamp.FromTime(parseTime(value))}, in int64 arithmetic as Go does it. Beyond Go's
   * int64 seconds ({@code 1e19}) the conversion gives {@code MinInt64} and the milliseconds wrap,
   * so a shard evaluates such a request at an instant near 1970 (not an error): the router must use
   * the same instant, never fail on it.
   *
   * @throws ApiException as {@link #parseTime} for a value that is not a time
   */
  public static long timestampMillis(String name, String value) {
    String number = goFloatText(value);
    if (number == null || outOfRange(number)) {
      Instant instant = parseTimeOrThrow(name, value);
      if (value.equals(MIN_TIME)) {
        return GO_MIN_TIME_SECONDS * 1000;
      }
      if (value.equals(MAX_TIME)) {
        return GO_MAX_TIME_SECONDS * 1000 + 999;
      }
      return instant.getEpochSecond() * 1000 + instant.getNano() / 1_000_000;
    }
    double seconds = goFloat(number);
    double whole = seconds < 0 ? Math.ceil(seconds) : Math.floor(seconds); // math.Modf
    double fraction = Math.rint((seconds - whole) * 1000) / 1000; // math.Round, then * time.Second
    long sec = goInt64(whole);
    long nsec = goInt64(fraction * 1e9);
    // time.Unix normalises nsec into [0, 1e9).
    if (nsec < 0 || nsec >= 1_000_000_000L) {
      long n = nsec / 1_000_000_000L;
      sec += n;
      nsec -= n * 1_000_000_000L;
      if (nsec < 0) {
        nsec += 1_000_000_000L;
        sec--;
      }
    }
    return sec * 1000 + nsec / 1_000_000; // wraps as Go's int64 does
  }

  // Prometheus's minTime and maxTime (web/api/v1), in Unix seconds.
  private static final long GO_MIN_TIME_SECONDS = Long.MIN_VALUE / 1000 + 62135596801L;
  private static final long GO_MAX_TIME_SECONDS = Long.MAX_VALUE / 1000 - 62135596801L;

  // Go's int64(f) on amd64: NaN and values beyond int64 become MinInt64 (Java's cast saturates).
  private static long goInt64(double value) {
    if (Double.isNaN(value) || value >= 0x1p63 || value < -0x1p63) {
      return Long.MIN_VALUE;
    }
    return (long) value;
  }

  /**
   * Parses a duration as Prometheus does: float seconds, or a Prometheus duration such as {@code
   * 1m30s}.
   *
   * @throws ApiException {@code invalid parameter "<name>": cannot parse "<value>" to a valid
   *     duration}
   */
  public static Duration parseDuration(String name, String value) {
    String number = goFloatText(value);
    if (number != null && !outOfRange(number)) {
      double seconds = goFloat(number);
      double nanos = seconds * 1e9;
      if (Double.isNaN(nanos)) {
        return Duration.ZERO;
      }
      if (nanos > Long.MAX_VALUE || nanos < Long.MIN_VALUE) {
        throw badData(
            "invalid parameter \""
                + name
                + "\": cannot parse \""
                + value
                + "\" to a valid duration. It overflows int64");
      }
      return Duration.ofNanos((long) nanos);
    }
    Matcher matcher = PROMETHEUS_DURATION.matcher(value);
    if (!value.isEmpty() && matcher.matches()) {
      long millis = 0;
      try {
        for (int group = 1; group <= DURATION_UNIT_MILLIS.length; group++) {
          String digits = matcher.group(group);
          if (digits != null) {
            millis =
                Math.addExact(
                    millis,
                    Math.multiplyExact(Long.parseLong(digits), DURATION_UNIT_MILLIS[group - 1]));
          }
        }
        return Duration.ofMillis(millis);
      } catch (ArithmeticException | NumberFormatException overflow) {
        // falls through to the error below, as Prometheus refuses durations that overflow
      }
    }
    throw badData(
        "invalid parameter \"" + name + "\": cannot parse \"" + value + "\" to a valid duration");
  }

  private static Instant parseTimeOrThrow(String name, String value) {
    Instant instant = tryParseTime(value);
    if (instant == null) {
      throw badData(
          "invalid parameter \""
              + name
              + "\": cannot parse \""
              + value
              + "\" to a valid timestamp");
    }
    return instant;
  }

  // Prometheus's parseTimeParam: empty means the default; errors get an extra prefix.
  private static Instant optionalTime(Function<String, String> first, String name) {
    String value = first.apply(name);
    if (value.isEmpty()) {
      return null;
    }
    Instant instant = tryParseTime(value);
    if (instant == null) {
      throw badData(
          "invalid parameter \""
              + name
              + "\": Invalid time value for '"
              + name
              + "': cannot parse \""
              + value
              + "\" to a valid timestamp");
    }
    return instant;
  }

  private static void timeout(Function<String, String> first) {
    String value = first.apply("timeout");
    if (!value.isEmpty()) {
      parseDuration("timeout", value);
    }
  }

  private static Instant tryParseTime(String value) {
    String number = goFloatText(value);
    if (number != null) {
      if (outOfRange(number)) {
        return null; // no RFC 3339 time either
      }
      double seconds = goFloat(number);
      if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
        return seconds > 0 ? Instant.MAX : Instant.MIN;
      }
      double whole = seconds < 0 ? Math.ceil(seconds) : Math.floor(seconds);
      double millis = Math.round((seconds - whole) * 1000);
      // Compared as doubles, Instant.MAX's second rounds up past Instant.MAX: clamp as longs.
      long clamped = whole >= 0x1p63 ? Long.MAX_VALUE : (long) whole;
      clamped =
          Math.max(Instant.MIN.getEpochSecond(), Math.min(Instant.MAX.getEpochSecond(), clamped));
      return Instant.ofEpochSecond(clamped, (long) millis * 1_000_000L);
    }
    if (value.equals(MIN_TIME)) {
      return Instant.MIN;
    }
    if (value.equals(MAX_TIME)) {
      return Instant.MAX;
    }
    Matcher comma = COMMA_FRACTION.matcher(value);
    if (comma.matches()) {
      value = comma.group(1) + "." + comma.group(2);
    }
    try {
      return OffsetDateTime.parse(value, RFC3339).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * The number Go's {@code strconv.ParseFloat} reads in {@code value}, written so {@link #GO_FLOAT}
   * and {@link #goFloat} read it (digit separators removed), or {@code null} if it reads none. Go
   * accepts {@code _} between digits ({@code 1_000}), as in Go's float literals.
   */
  private static String goFloatText(String value) {
    if (value.indexOf('_') >= 0) {
      if (!underscoresOk(value)) {
        return null;
      }
      value = value.replace("_", "");
    }
    return GO_FLOAT.matcher(value).matches() ? value : null;
  }

  // Go's strconv.underscoreOK: an underscore only between digits, or between a base prefix and a
  // digit.
  private static boolean underscoresOk(String value) {
    String s = value.startsWith("+") || value.startsWith("-") ? value.substring(1) : value;
    char saw = '^';
    int i = 0;
    boolean hex = false;
    if (s.length() >= 2 && s.charAt(0) == '0' && "bBoOxX".indexOf(s.charAt(1)) >= 0) {
      i = 2;
      saw = '0';
      hex = s.charAt(1) == 'x' || s.charAt(1) == 'X';
    }
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9' || hex && "abcdefABCDEF".indexOf(c) >= 0) {
        saw = '0';
      } else if (c == '_') {
        if (saw != '0') {
          return false;
        }
        saw = '_';
      } else {
        if (saw == '_') {
          return false;
        }
        saw = '!';
      }
    }
    return saw != '_';
  }

  /** Go's ParseFloat fails with ErrRange where the number is finite but beyond a double (1e400). */
  private static boolean outOfRange(String value) {
    return Double.isInfinite(goFloat(value)) && !isInfinityLiteral(value);
  }

  private static boolean isInfinityLiteral(String value) {
    String lower = value.toLowerCase(java.util.Locale.ROOT);
    String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
    return unsigned.equals("inf") || unsigned.equals("infinity");
  }

  private static double goFloat(String value) {
    if (isInfinityLiteral(value)) {
      return value.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (value.equalsIgnoreCase("nan")) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static double seconds(Instant instant) {
    return instant.getEpochSecond() + instant.getNano() / 1e9;
  }

  private static ApiException badData(String message) {
    return new ApiException(ApiError.badData(message));
  }
}
