package io.promroute.servlet.it.promqltest;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reader of Prometheus 2.42's PromQL engine test scripts ({@code promql/testdata/*.test}): {@code
 * load <interval>} blocks of series in the expanding notation, {@code eval instant at <time>
 * <query>} (also {@code eval_fail} and {@code eval_ordered}) with their expected lines, and {@code
 * clear}. Written from the format's description (the files' README), not from Prometheus's code.
 *
 * <p>A script becomes {@link Segment}s: one data snapshot each (the series loaded since the last
 * {@code clear}) and the evals run on it. A {@code load} after an eval starts a new segment that
 * keeps the earlier loads, as the Go harness appends to the same storage.
 */
final class TestScript {

  private static final Pattern EVAL =
      Pattern.compile("^eval(?:_(fail|ordered))?\\s+instant\\s+at\\s+(\\S+)\\s+(.+)$");
  private static final Pattern LOAD = Pattern.compile("^load\\s+(\\S+)$");
  private static final Pattern DURATION =
      Pattern.compile(
          "^(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?$");
  private static final String NUMBER =
      "(?:[iI][nN][fF]|[nN][aA][nN]|\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)";

  /** {@code value}, {@code valuexN}, {@code value+incrementxN}, {@code value-incrementxN}. */
  private static final Pattern ITEM =
      Pattern.compile("^([+-]?" + NUMBER + ")(?:([+-]" + NUMBER + ")?x(\\d+))?$");

  private static final Pattern BLANKS = Pattern.compile("^_(?:x(\\d+))?$");

  private TestScript() {}

  /** What an eval expects of its result. */
  enum Kind {
    /** Expected series compared as a set. */
    INSTANT,
    /** The query must fail. */
    FAIL,
    /** Expected series compared in order. */
    ORDERED
  }

  /** A sample; a stale marker has {@code stale} set and a NaN value. */
  record Sample(long timeMillis, double value, boolean stale) {}

  /** A series: its label set (with {@code __name__}), sorted by name, and its samples by time. */
  record Series(SortedMap<String, String> labels, List<Sample> samples) {
    Series {
      labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
      samples = List.copyOf(samples);
    }

    boolean hasStaleMarker() {
      return samples.stream().anyMatch(Sample::stale);
    }
  }

  /**
   * One expected series of an eval (the value at the eval's time), or a scalar ({@code labels}
   * null).
   */
  record Expected(SortedMap<String, String> labels, double value) {}

  /**
   * One eval.
   *
   * @param id {@code <file>:<line>}, the key of the known-gaps file
   * @param timeMillis the evaluation time, from t=0
   */
  record Eval(
      String id, int line, Kind kind, long timeMillis, String query, List<Expected> expected) {
    Eval {
      requireNonNull(id, "id is null");
      requireNonNull(query, "query is null");
      expected = List.copyOf(expected);
    }

    /** A scalar expectation, if the expected line is a bare number. */
    OptionalDouble expectedScalar() {
      return expected.size() == 1 && expected.get(0).labels() == null
          ? OptionalDouble.of(expected.get(0).value())
          : OptionalDouble.empty();
    }
  }

  /**
   * One data snapshot and the evals run on it.
   *
   * @param number 1-based position in its file
   * @param line the line of its first eval
   * @param unreachable why its data cannot be loaded into Prometheus, or {@code null}
   */
  record Segment(
      String file,
      int number,
      int line,
      List<Series> series,
      List<Eval> evals,
      String unreachable) {
    Segment {
      series = List.copyOf(series);
      evals = List.copyOf(evals);
    }

    /** The last sample time of any series, 0 without data. */
    long lastSampleMillis() {
      return series.stream()
          .flatMap(s -> s.samples().stream())
          .mapToLong(Sample::timeMillis)
          .max()
          .orElse(0);
    }

    @Override
    public String toString() {
      return file
          + " segment "
          + number
          + " (line "
          + line
          + ", "
          + series.size()
          + " series, "
          + evals.size()
          + " evals)";
    }
  }

  /** A script that does not follow the format, with file and line. */
  static final class ScriptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ScriptException(String file, int line, String message) {
      super(file + ":" + line + ": " + message);
    }
  }

  static List<Segment> read(Path path) throws IOException {
    return parse(path.getFileName().toString(), Files.readAllLines(path, StandardCharsets.UTF_8));
  }

  static List<Segment> parse(String file, List<String> rawLines) {
    // Trimmed; a comment line counts as a blank line (it ends a block).
    List<String> lines = new ArrayList<>();
    for (String raw : rawLines) {
      String line = raw.strip();
      lines.add(line.startsWith("#") ? "" : line);
    }
    List<Segment> segments = new ArrayList<>();
    Map<SortedMap<String, String>, TreeMap<Long, Sample>> loaded = new LinkedHashMap<>();
    List<Eval> evals = new ArrayList<>();
    List<String> unreachable = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i);
      int lineNumber = i + 1;
      if (line.isEmpty()) {
        i++;
        continue;
      }
      if (line.equals("clear")) {
        flush(file, segments, loaded, evals, unreachable);
        loaded.clear();
        unreachable.clear();
        i++;
        continue;
      }
      Matcher load = LOAD.matcher(line);
      if (load.matches()) {
        if (!evals.isEmpty()) {
          flush(file, segments, loaded, evals, unreachable);
        }
        long interval = durationMillis(load.group(1), file, lineNumber);
        i++;
        while (i < lines.size() && !lines.get(i).isEmpty()) {
          if (lines.get(i).contains("{{")) {
            // Native histogram samples (later versions' notation): no way into Prometheus here.
            unreachable.add(
                "native histogram samples (line "
                    + (i + 1)
                    + "): neither OpenMetrics text nor remote write 1.0 carries them");
          } else {
            addSeries(loaded, lines.get(i), interval, file, i + 1);
          }
          i++;
        }
        continue;
      }
      Matcher eval = EVAL.matcher(line);
      if (eval.matches()) {
        Kind kind =
            eval.group(1) == null
                ? Kind.INSTANT
                : eval.group(1).equals("fail") ? Kind.FAIL : Kind.ORDERED;
        long time = durationMillis(eval.group(2), file, lineNumber);
        List<Expected> expected = new ArrayList<>();
        i++;
        while (i < lines.size() && !lines.get(i).isEmpty()) {
          String expectedLine = lines.get(i);
          OptionalDouble scalar = number(expectedLine);
          if (scalar.isPresent()) {
            expected.add(new Expected(null, scalar.getAsDouble()));
          } else {
            SeriesLine parsed = seriesLine(expectedLine, 0, file, i + 1);
            if (parsed.samples().size() != 1) {
              throw new ScriptException(
                  file, i + 1, "an expected series has one value, got " + parsed.samples().size());
            }
            expected.add(new Expected(parsed.labels(), parsed.samples().get(0).value()));
          }
          i++;
        }
        evals.add(
            new Eval(
                file + ":" + lineNumber, lineNumber, kind, time, eval.group(3).strip(), expected));
        continue;
      }
      throw new ScriptException(file, lineNumber, "not a command: " + line);
    }
    flush(file, segments, loaded, evals, unreachable);
    return segments;
  }

  private static void flush(
      String file,
      List<Segment> segments,
      Map<SortedMap<String, String>, TreeMap<Long, Sample>> loaded,
      List<Eval> evals,
      List<String> unreachable) {
    if (evals.isEmpty()) {
      return;
    }
    List<Series> series = new ArrayList<>();
    loaded.forEach(
        (labels, samples) -> series.add(new Series(labels, new ArrayList<>(samples.values()))));
    segments.add(
        new Segment(
            file,
            segments.size() + 1,
            evals.get(0).line(),
            series,
            evals,
            unreachable.isEmpty() ? null : unreachable.get(0)));
    evals.clear();
  }

  private static void addSeries(
      Map<SortedMap<String, String>, TreeMap<Long, Sample>> loaded,
      String line,
      long interval,
      String file,
      int lineNumber) {
    SeriesLine parsed = seriesLine(line, interval, file, lineNumber);
    // The same label set loaded again adds samples; one at an existing time replaces it.
    TreeMap<Long, Sample> samples =
        loaded.computeIfAbsent(parsed.labels(), labels -> new TreeMap<>());
    for (Sample sample : parsed.samples()) {
      samples.put(sample.timeMillis(), sample);
    }
  }

  /** A parsed series description: labels (with {@code __name__}) and samples at i·interval. */
  record SeriesLine(SortedMap<String, String> labels, List<Sample> samples) {}

  /** Parses {@code name{label="value", ...} values...}; value number i is at i·interval. */
  static SeriesLine seriesLine(String line, long interval, String file, int lineNumber) {
    Cursor cursor = new Cursor(line, file, lineNumber);
    SortedMap<String, String> labels = new TreeMap<>();
    String name = cursor.identifier();
    if (!name.isEmpty()) {
      labels.put("__name__", name);
    }
    cursor.skipSpaces();
    if (cursor.peek() == '{') {
      cursor.labelSet(labels);
    }
    String rest = cursor.rest().strip();
    if (rest.isEmpty()) {
      throw new ScriptException(file, lineNumber, "a series needs values: " + line);
    }
    List<Sample> samples = new ArrayList<>();
    int position = 0;
    for (String item : rest.split("\\s+")) {
      Matcher blanks = BLANKS.matcher(item);
      if (blanks.matches()) {
        // "_" is one missing value, "_xN" N missing values.
        position += blanks.group(1) == null ? 1 : Integer.parseInt(blanks.group(1));
        continue;
      }
      if (item.equals("stale")) {
        samples.add(new Sample(position * interval, Double.NaN, true));
        position++;
        continue;
      }
      Matcher matcher = ITEM.matcher(item);
      if (!matcher.matches()) {
        throw new ScriptException(file, lineNumber, "not a series value: " + item);
      }
      double value = parseNumber(matcher.group(1));
      if (matcher.group(3) == null) {
        samples.add(new Sample(position * interval, value, false));
        position++;
        continue;
      }
      // "axN" is N+1 times a; "a+bxN" is a, a+b, ..., N+1 values, by repeated addition.
      int times = Integer.parseInt(matcher.group(3));
      double increment = matcher.group(2) == null ? 0 : parseNumber(matcher.group(2));
      for (int k = 0; k <= times; k++) {
        samples.add(new Sample(position * interval, value, false));
        position++;
        value += increment;
      }
    }
    return new SeriesLine(labels, samples);
  }

  /** A bare number line (a scalar expectation), else empty. */
  private static OptionalDouble number(String line) {
    if (!line.matches("[+-]?" + NUMBER)) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(parseNumber(line));
  }

  static double parseNumber(String text) {
    String unsigned = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
    double sign = text.startsWith("-") ? -1 : 1;
    if (unsigned.equalsIgnoreCase("inf")) {
      return sign * Double.POSITIVE_INFINITY;
    }
    if (unsigned.equalsIgnoreCase("nan")) {
      return Double.NaN;
    }
    return sign * Double.parseDouble(unsigned);
  }

  /** Prometheus's duration notation ({@code 5m}, {@code 1h30m}, {@code 8000s}, {@code 0}) in ms. */
  static long durationMillis(String text, String file, int lineNumber) {
    if (text.equals("0")) {
      return 0;
    }
    Matcher matcher = DURATION.matcher(text);
    if (text.isEmpty() || !matcher.matches()) {
      throw new ScriptException(file, lineNumber, "not a duration: " + text);
    }
    long[] unitMillis = {
      365L * 24 * 3600_000, 7L * 24 * 3600_000, 24L * 3600_000, 3600_000, 60_000, 1000, 1
    };
    long total = 0;
    for (int group = 1; group <= unitMillis.length; group++) {
      if (matcher.group(group) != null) {
        total += Long.parseLong(matcher.group(group)) * unitMillis[group - 1];
      }
    }
    return total;
  }

  /** Reads a metric name and a label set with PromQL's string quoting. */
  private static final class Cursor {
    private final String text;
    private final String file;
    private final int lineNumber;
    private int position;

    Cursor(String text, String file, int lineNumber) {
      this.text = text;
      this.file = file;
      this.lineNumber = lineNumber;
    }

    char peek() {
      return position < text.length() ? text.charAt(position) : '\0';
    }

    String rest() {
      return text.substring(position);
    }

    void skipSpaces() {
      while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
        position++;
      }
    }

    String identifier() {
      int start = position;
      while (position < text.length()) {
        char c = text.charAt(position);
        boolean valid =
            c == '_'
                || c == ':'
                || Character.isLetter(c)
                || (position > start && Character.isDigit(c));
        if (!valid || c > 127) {
          break;
        }
        position++;
      }
      return text.substring(start, position);
    }

    void labelSet(SortedMap<String, String> labels) {
      expect('{');
      skipSpaces();
      while (peek() != '}') {
        String name = identifier();
        if (name.isEmpty()) {
          throw error("a label name");
        }
        skipSpaces();
        expect('=');
        skipSpaces();
        labels.put(name, string());
        skipSpaces();
        if (peek() == ',') {
          position++;
          skipSpaces();
        } else if (peek() != '}') {
          throw error("\",\" or \"}\"");
        }
      }
      position++;
    }

    private String string() {
      char quote = peek();
      if (quote != '"' && quote != '\'' && quote != '`') {
        throw error("a quoted string");
      }
      position++;
      StringBuilder value = new StringBuilder();
      while (true) {
        if (position >= text.length()) {
          throw error("the end of the string");
        }
        char c = text.charAt(position++);
        if (c == quote) {
          return value.toString();
        }
        if (c != '\\' || quote == '`') {
          value.append(c);
          continue;
        }
        char escaped = text.charAt(position++);
        switch (escaped) {
          case 'n' -> value.append('\n');
          case 't' -> value.append('\t');
          case 'r' -> value.append('\r');
          case '\\', '"', '\'' -> value.append(escaped);
          default -> throw error("a known escape, got \\" + escaped);
        }
      }
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("\"" + c + "\"");
      }
      position++;
    }

    private ScriptException error(String expected) {
      return new ScriptException(
          file, lineNumber, "expected " + expected + " at column " + (position + 1) + ": " + text);
    }
  }
}
