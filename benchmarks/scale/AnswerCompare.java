import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares two Prometheus query answers (the global Prometheus's and the router's) for
 * {@code scale-bench.sh}: the same result type, the same label sets, the same timestamps, and every
 * value equal within a relative tolerance (NaN equals NaN, infinities equal themselves). The order
 * of series is not compared (the API does not define it for a vector or a matrix).
 *
 * <pre>
 * java AnswerCompare EXPECTED.json ACTUAL.json [TOLERANCE]   # exit 0 equal, 1 different
 * java AnswerCompare --self-test EXPECTED.json              # exit 0 when changed copies are refused
 * </pre>
 */
public final class AnswerCompare {

  private AnswerCompare() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 2 && args[0].equals("--self-test")) {
      System.exit(selfTest(read(Path.of(args[1]))) ? 0 : 1);
    }
    if (args.length != 2 && args.length != 3) {
      System.err.println("usage: AnswerCompare EXPECTED.json ACTUAL.json [TOLERANCE] | --self-test EXPECTED.json");
      System.exit(2);
    }
    double tolerance = args.length == 3 ? Double.parseDouble(args[2]) : 1e-9;
    Result result = compare(read(Path.of(args[0])), read(Path.of(args[1])), tolerance);
    System.out.println(result.message());
    System.exit(result.equal() ? 0 : 1);
  }

  record Result(boolean equal, String message) {}

  /** A sample's timestamp and value, as the API writes them. */
  record Sample(double time, String value) {}

  static Result compare(Object expected, Object actual, double tolerance) {
    Map<String, List<Sample>> want;
    Map<String, List<Sample>> got;
    try {
      want = series(expected);
      got = series(actual);
    } catch (IllegalArgumentException e) {
      return new Result(false, "not comparable: " + e.getMessage());
    }
    String wantType = resultType(expected);
    String gotType = resultType(actual);
    if (!wantType.equals(gotType)) {
      return new Result(false, "result type " + gotType + ", expected " + wantType);
    }
    List<String> problems = new ArrayList<>();
    for (String labels : want.keySet()) {
      if (!got.containsKey(labels)) {
        problems.add("missing series " + labels);
      }
    }
    for (String labels : got.keySet()) {
      if (!want.containsKey(labels)) {
        problems.add("unexpected series " + labels);
      }
    }
    double worst = 0;
    long samples = 0;
    for (Map.Entry<String, List<Sample>> entry : want.entrySet()) {
      List<Sample> other = got.get(entry.getKey());
      if (other == null) {
        continue;
      }
      List<Sample> mine = entry.getValue();
      if (mine.size() != other.size()) {
        problems.add(entry.getKey() + ": " + other.size() + " samples, expected " + mine.size());
        continue;
      }
      for (int i = 0; i < mine.size(); i++) {
        Sample a = mine.get(i);
        Sample b = other.get(i);
        samples++;
        if (a.time() != b.time()) {
          problems.add(entry.getKey() + ": sample " + i + " at " + time(b) + ", expected " + time(a));
          break;
        }
        double difference = relativeDifference(number(a.value()), number(b.value()));
        worst = Math.max(worst, difference);
        if (!(difference <= tolerance)) {
          problems.add(entry.getKey() + " at " + time(a) + ": " + b.value() + ", expected " + a.value());
        }
      }
    }
    if (!problems.isEmpty()) {
      return new Result(false, problems.size() + " differences (tolerance " + tolerance + "), first: "
          + String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
    }
    return new Result(true, String.format("equal: %s, %d series, %d samples, largest relative difference %.3g",
        wantType, want.size(), samples, worst));
  }

  private static String time(Sample sample) {
    return BigDecimal.valueOf(sample.time()).toPlainString();
  }

  /**
   * 0 for equal values (NaN and NaN, an infinity and itself), infinity for NaN against a number or
   * infinities of different signs, else |a - b| / max(|a|, |b|).
   */
  static double relativeDifference(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return Double.isNaN(a) && Double.isNaN(b) ? 0 : Double.POSITIVE_INFINITY;
    }
    if (a == b) {
      return 0;
    }
    if (Double.isInfinite(a) || Double.isInfinite(b)) {
      return Double.POSITIVE_INFINITY;
    }
    return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
  }

  /** Prometheus writes values as Go's strconv.FormatFloat does: NaN, +Inf, -Inf or a decimal. */
  static double number(String value) {
    return switch (value) {
      case "NaN" -> Double.NaN;
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(value);
    };
  }

  private static Map<String, Object> data(Object answer) {
    Map<String, Object> envelope = object(answer, "answer");
    if (!"success".equals(envelope.get("status"))) {
      throw new IllegalArgumentException("status " + envelope.get("status") + ": " + envelope.get("error"));
    }
    return object(envelope.get("data"), "data");
  }

  private static String resultType(Object answer) {
    return String.valueOf(data(answer).get("resultType"));
  }

  /** Each series's canonical label set (sorted) to its samples; a scalar or string is one series "{}". */
  private static Map<String, List<Sample>> series(Object answer) {
    Map<String, Object> data = data(answer);
    Object result = data.get("result");
    Map<String, List<Sample>> series = new TreeMap<>();
    switch (String.valueOf(data.get("resultType"))) {
      case "scalar", "string" -> series.put("{}", List.of(sample(result)));
      case "vector", "matrix" -> {
        for (Object element : list(result, "result")) {
          Map<String, Object> one = object(element, "series");
          String labels = new TreeMap<>(object(one.get("metric"), "metric")).toString();
          List<Sample> samples = new ArrayList<>();
          if (one.containsKey("value")) {
            samples.add(sample(one.get("value")));
          } else {
            for (Object pair : list(one.get("values"), "values")) {
              samples.add(sample(pair));
            }
          }
          if (series.put(labels, samples) != null) {
            throw new IllegalArgumentException("the series " + labels + " twice");
          }
        }
      }
      default -> throw new IllegalArgumentException("result type " + data.get("resultType"));
    }
    return series;
  }

  private static Sample sample(Object pair) {
    List<Object> values = list(pair, "sample");
    if (values.size() != 2 || !(values.get(0) instanceof Double time) || !(values.get(1) instanceof String value)) {
      throw new IllegalArgumentException("a sample is [time, \"value\"], got " + values);
    }
    return new Sample(time, value);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String what) {
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException(what + " is not an object: " + value);
    }
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value, String what) {
    if (!(value instanceof List)) {
      throw new IllegalArgumentException(what + " is not an array: " + value);
    }
    return (List<Object>) value;
  }

  /**
   * Checks that the comparison can fail: a copy of the answer with one value changed by 1e-6
   * relative, and one without its first series, must both be refused, and the answer must equal
   * itself.
   */
  static boolean selfTest(Object answer) {
    boolean ok = true;
    Result same = compare(answer, answer, 1e-9);
    System.out.println("the answer against itself: " + same.message());
    ok &= same.equal();
    Object changed = deepCopy(answer);
    if (changeFirstValue(data(changed).get("result"))) {
      Result result = compare(answer, changed, 1e-9);
      System.out.println("one value changed by 1e-6 relative: " + result.message());
      ok &= !result.equal();
    } else {
      System.out.println("no value to change (empty answer)");
      ok = false;
    }
    Object shorter = deepCopy(answer);
    Object result = data(shorter).get("result");
    if (result instanceof List<?> seriesList && !seriesList.isEmpty()) {
      list(result, "result").remove(0);
      Result missing = compare(answer, shorter, 1e-9);
      System.out.println("first series removed: " + missing.message());
      ok &= !missing.equal();
    }
    return ok;
  }

  /** Changes the first sample's value (of the first series, or of a scalar) by 1e-6 relative. */
  private static boolean changeFirstValue(Object result) {
    List<Object> pair = firstSample(result);
    if (pair == null) {
      return false;
    }
    double value = number((String) pair.get(1));
    pair.set(1, Double.toString(value == 0 || !Double.isFinite(value) ? 1e-300 : value * (1 + 1e-6)));
    return true;
  }

  private static List<Object> firstSample(Object result) {
    if (!(result instanceof List<?> elements) || elements.isEmpty()) {
      return null;
    }
    if (elements.size() == 2 && elements.get(1) instanceof String) {
      return list(result, "scalar");
    }
    Map<String, Object> series = object(elements.get(0), "series");
    if (series.containsKey("value")) {
      return list(series.get("value"), "value");
    }
    List<Object> values = list(series.get("values"), "values");
    return values.isEmpty() ? null : list(values.get(0), "sample");
  }

  private static Object deepCopy(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put((String) k, deepCopy(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(deepCopy(v)));
      return copy;
    }
    return value;
  }

  static Object read(Path file) throws IOException {
    return new Json(Files.readString(file, StandardCharsets.UTF_8)).document();
  }

  /** Just enough JSON for Prometheus's answers: objects, arrays, strings, numbers, literals. */
  static final class Json {
    private final String text;
    private int at;

    Json(String text) {
      this.text = text;
    }

    Object document() {
      Object value = value();
      space();
      if (at != text.length()) {
        throw error("text after the document");
      }
      return value;
    }

    private Object value() {
      space();
      if (at >= text.length()) {
        throw error("unexpected end");
      }
      char c = text.charAt(at);
      switch (c) {
        case '{' -> {
          at++;
          Map<String, Object> object = new LinkedHashMap<>();
          space();
          if (peek('}')) {
            return object;
          }
          do {
            space();
            String key = string();
            space();
            expect(':');
            object.put(key, value());
            space();
          } while (peek(','));
          expect('}');
          return object;
        }
        case '[' -> {
          at++;
          List<Object> array = new ArrayList<>();
          space();
          if (peek(']')) {
            return array;
          }
          do {
            array.add(value());
            space();
          } while (peek(','));
          expect(']');
          return array;
        }
        case '"' -> {
          return string();
        }
        default -> {
          for (String literal : new String[] {"true", "false", "null"}) {
            if (text.startsWith(literal, at)) {
              at += literal.length();
              return literal.equals("null") ? null : Boolean.valueOf(literal);
            }
          }
          int start = at;
          while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
            at++;
          }
          if (start == at) {
            throw error("unexpected '" + c + "'");
          }
          return Double.parseDouble(text.substring(start, at));
        }
      }
    }

    private String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (true) {
        if (at >= text.length()) {
          throw error("unterminated string");
        }
        char c = text.charAt(at++);
        if (c == '"') {
          return out.toString();
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char escaped = text.charAt(at++);
        switch (escaped) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'r' -> out.append('\r');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
            at += 4;
          }
          default -> out.append(escaped);
        }
      }
    }

    private void space() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }

    private boolean peek(char c) {
      if (at < text.length() && text.charAt(at) == c) {
        at++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw error("expected '" + c + "'");
      }
    }

    private IllegalArgumentException error(String message) {
      return new IllegalArgumentException("JSON at offset " + at + ": " + message);
    }
  }
}
