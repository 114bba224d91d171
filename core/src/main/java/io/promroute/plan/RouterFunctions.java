package io.promroute.plan;

import io.promroute.api.QueryResult;
import io.promroute.compat.LabelNames;
import io.promroute.compat.PromRegex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/** The functions the router computes over global values, as Prometheus 2.42 defines them. */
final class RouterFunctions {

  private RouterFunctions() {}

  private static final Map<String, DoubleUnaryOperator> MATH = new LinkedHashMap<>();

  static {
    MATH.put("abs", Math::abs);
    MATH.put("ceil", Math::ceil);
    MATH.put("floor", Math::floor);
    MATH.put("exp", GoMath::exp);
    MATH.put("sqrt", Math::sqrt);
    MATH.put("ln", GoMath::log);
    MATH.put("log2", GoMath::log2);
    MATH.put("log10", GoMath::log10);
    MATH.put("sgn", x -> x < 0 ? -1 : (x > 0 ? 1 : x));
    MATH.put("acos", GoMath::acos);
    MATH.put("asin", GoMath::asin);
    MATH.put("atan", GoMath::atan);
    MATH.put("cos", GoMath::cos);
    MATH.put("sin", GoMath::sin);
    MATH.put("tan", GoMath::tan);
    MATH.put("cosh", GoMath::cosh);
    MATH.put("sinh", GoMath::sinh);
    MATH.put("tanh", GoMath::tanh);
    MATH.put("acosh", GoMath::acosh);
    MATH.put("asinh", GoMath::asinh);
    MATH.put("atanh", GoMath::atanh);
    MATH.put("deg", x -> x * 180 / Math.PI);
    MATH.put("rad", x -> x * Math.PI / 180);
  }

  private static final Set<String> DATES =
      Set.of(
          "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month",
          "year");

  private static final Set<String> OTHERS =
      Set.of(
          "scalar", "vector", "time", "pi", "sort", "sort_desc", "absent", "histogram_quantile",
          "round", "clamp", "clamp_min", "clamp_max", "timestamp", "label_replace", "label_join");

  private static final Set<String> RANGE =
      Set.of(
          "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
          "last_over_time", "present_over_time", "stddev_over_time", "stdvar_over_time",
          "quantile_over_time", "rate", "increase", "delta", "irate", "idelta", "changes", "resets",
          "deriv", "predict_linear", "holt_winters", "double_exponential_smoothing", "mad_over_time",
          "first_over_time", "ts_of_first_over_time", "ts_of_last_over_time", "ts_of_max_over_time",
          "ts_of_min_over_time");

  /** Whether the router can compute the function from its arguments' global values. */
  static boolean supports(String name) {
    return MATH.containsKey(name) || DATES.contains(name) || OTHERS.contains(name) || RANGE.contains(name);
  }

  static Value call(String name, List<Value> args, Labels absentLabels, long time) {
    DoubleUnaryOperator math = MATH.get(name);
    if (math != null) {
      return perSeries(args.get(0), math);
    }
    if (RANGE.contains(name)) {
      return RangeFunctions.call(name, args, time);
    }
    if (DATES.contains(name)) {
      Value input = args.isEmpty() ? new Value.Vector(List.of(new Sample(Labels.EMPTY, time / 1000.0))) : args.get(0);
      return perSeries(input, seconds -> date(name, seconds));
    }
    return switch (name) {
      case "scalar" -> {
        List<Sample> vector = PlanNode.Nodes.vector(args.get(0));
        yield new Value.Scalar(vector.size() == 1 ? vector.get(0).value() : Double.NaN);
      }
      case "vector" -> new Value.Vector(List.of(new Sample(Labels.EMPTY, PlanNode.Nodes.scalar(args.get(0)))));
      case "time" -> new Value.Scalar(time / 1000.0);
      case "pi" -> new Value.Scalar(Math.PI);
      case "sort" -> sort(args.get(0), false);
      case "sort_desc" -> sort(args.get(0), true);
      case "absent" -> PlanNode.Nodes.vector(args.get(0)).isEmpty()
          ? new Value.Vector(List.of(new Sample(absentLabels, 1)))
          : new Value.Vector(List.of());
      case "histogram_quantile" -> histogramQuantile(
          PlanNode.Nodes.scalar(args.get(0)), PlanNode.Nodes.vector(args.get(1)));
      case "round" -> {
        double toNearest = args.size() > 1 ? PlanNode.Nodes.scalar(args.get(1)) : 1;
        double inverse = 1.0 / toNearest;
        yield perSeries(args.get(0), v -> Math.floor(v * inverse + 0.5) / inverse);
      }
      case "clamp" -> {
        double min = PlanNode.Nodes.scalar(args.get(1));
        double max = PlanNode.Nodes.scalar(args.get(2));
        if (max < min) {
          yield new Value.Vector(List.of());
        }
        yield perSeries(args.get(0), v -> goMax(min, goMin(max, v)));
      }
      case "clamp_min" -> {
        double min = PlanNode.Nodes.scalar(args.get(1));
        yield perSeries(args.get(0), v -> goMax(min, v));
      }
      case "clamp_max" -> {
        double max = PlanNode.Nodes.scalar(args.get(1));
        yield perSeries(args.get(0), v -> goMin(max, v));
      }
      case "label_replace" -> labelReplace(args);
      case "label_join" -> labelJoin(args);
      // Router-computed vectors are stamped with the evaluation time.
      case "timestamp" -> perSeries(args.get(0), v -> time / 1000.0);
      default -> throw new IllegalStateException("function " + name + " is not planned");
    };
  }

  private static String string(Value value) {
    if (value instanceof Value.Str string) {
      return string.value();
    }
    throw new IllegalStateException("expected a string, got " + value);
  }

  /** 2.42's label_replace: RE2, anchored; no match keeps the series; an empty result deletes. */
  private static Value labelReplace(List<Value> args) {
    String dst = string(args.get(1));
    String replacement = string(args.get(2));
    String src = string(args.get(3));
    String regex = string(args.get(4));
    com.google.re2j.Pattern pattern;
    try {
      pattern = PromRegex.labelReplace(regex);
    } catch (com.google.re2j.PatternSyntaxException e) {
      throw Errors.execution("invalid regular expression in label_replace(): " + regex);
    }
    if (!LabelNames.isLegacy(dst)) {
      throw Errors.execution("invalid destination label name in label_replace(): " + dst);
    }
    List<Sample> out = new ArrayList<>();
    for (Sample sample : PlanNode.Nodes.vector(args.get(0))) {
      String value = sample.labels().get(src);
      com.google.re2j.Matcher matcher = pattern.matcher(value);
      if (!matcher.find()) {
        out.add(sample);
        continue;
      }
      String result = expand(replacement, matcher);
      out.add(new Sample(sample.labels().without(List.of(dst)).with(dst, result), sample.value()));
    }
    Errors.checkDistinct(out);
    return new Value.Vector(out);
  }

  /** Go's Regexp.ExpandString: $name or ${name}, the longest name of letters, digits, _; $$ is $. */
  private static String expand(String template, com.google.re2j.Matcher matcher) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c != '$' || i + 1 >= template.length()) {
        out.append(c);
        i++;
        continue;
      }
      char next = template.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i += 2;
        continue;
      }
      String name;
      int end;
      if (next == '{') {
        int close = template.indexOf('}', i + 2);
        name = close < 0 ? "" : template.substring(i + 2, close);
        if (close < 0 || name.isEmpty() || !name.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
          // Not a valid reference: Go copies the '$' literally.
          out.append('$');
          i++;
          continue;
        }
        end = close + 1;
      } else {
        int j = i + 1;
        while (j < template.length()
            && (Character.isLetterOrDigit(template.charAt(j)) || template.charAt(j) == '_')) {
          j++;
        }
        if (j == i + 1) {
          out.append('$');
          i++;
          continue;
        }
        name = template.substring(i + 1, j);
        end = j;
      }
      out.append(group(matcher, name));
      i = end;
    }
    return out.toString();
  }

  private static String group(com.google.re2j.Matcher matcher, String name) {
    String value = null;
    if (name.chars().allMatch(Character::isDigit)) {
      try {
        int index = Integer.parseInt(name);
        if (index <= matcher.groupCount()) {
          value = matcher.group(index);
        }
      } catch (NumberFormatException tooLarge) {
        value = null;
      }
    } else {
      try {
        value = matcher.group(name);
      } catch (IllegalArgumentException noSuchGroup) {
        value = null;
      }
    }
    return value == null ? "" : value;
  }

  /** 2.42's label_join: the source values joined by the separator; an empty result deletes. */
  private static Value labelJoin(List<Value> args) {
    String dst = string(args.get(1));
    String separator = string(args.get(2));
    List<String> sources = new ArrayList<>();
    for (int i = 3; i < args.size(); i++) {
      String source = string(args.get(i));
      if (!LabelNames.isLegacy(source)) {
        throw Errors.execution("invalid source label name in label_join(): " + source);
      }
      sources.add(source);
    }
    if (!LabelNames.isLegacy(dst)) {
      throw Errors.execution("invalid destination label name in label_join(): " + dst);
    }
    List<Sample> out = new ArrayList<>();
    for (Sample sample : PlanNode.Nodes.vector(args.get(0))) {
      List<String> values = new ArrayList<>();
      for (String source : sources) {
        values.add(sample.labels().get(source));
      }
      out.add(new Sample(sample.labels().with(dst, String.join(separator, values)), sample.value()));
    }
    Errors.checkDistinct(out);
    return new Value.Vector(out);
  }

  private static double goMax(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
  }

  private static double goMin(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
  }

  private static Value perSeries(Value input, DoubleUnaryOperator function) {
    List<Sample> out = new ArrayList<>();
    for (Sample sample : PlanNode.Nodes.vector(input)) {
      out.add(new Sample(sample.labels().withoutMetricName(), function.applyAsDouble(sample.value())));
    }
    Errors.checkDistinct(out);
    return new Value.Vector(out);
  }

  private static double date(String name, double seconds) {
    return GoDates.date(name, seconds);
  }

  /**
   * Ascending (or descending), NaN last either way, as 2.42 sorts (the reverse of a heap order
   * with NaN first); equal values keep their input (global label) order.
   */
  private static Value sort(Value input, boolean descending) {
    List<Sample> out = new ArrayList<>(PlanNode.Nodes.vector(input));
    Comparator<Sample> byValue =
        (a, b) -> {
          boolean an = Double.isNaN(a.value());
          boolean bn = Double.isNaN(b.value());
          if (an || bn) {
            return Boolean.compare(an, bn);
          }
          int c = a.value() < b.value() ? -1 : (a.value() > b.value() ? 1 : 0);
          return descending ? -c : c;
        };
    out.sort(byValue.thenComparing(Sample::labels));
    return new Value.Vector(out);
  }

  private record Bucket(double upperBound, double count) {}

  /** 2.42's histogram_quantile over classic buckets: grouped by all labels but {@code le}. */
  private static Value histogramQuantile(double q, List<Sample> input) {
    Map<Labels, List<Bucket>> groups = new LinkedHashMap<>();
    Map<Labels, Labels> outputLabels = new LinkedHashMap<>();
    for (Sample sample : input) {
      double upperBound;
      try {
        upperBound = QueryResult.parseValue(sample.labels().get("le"));
      } catch (IOException e) {
        // No or malformed le label: Prometheus skips the sample.
        continue;
      }
      Labels signature = sample.labels().without(List.of("le"));
      groups.computeIfAbsent(signature, unused -> new ArrayList<>()).add(new Bucket(upperBound, sample.value()));
      outputLabels.computeIfAbsent(signature, unused -> signature.withoutMetricName());
    }
    List<Sample> out = new ArrayList<>();
    for (Map.Entry<Labels, List<Bucket>> group : groups.entrySet()) {
      out.add(new Sample(outputLabels.get(group.getKey()), bucketQuantile(q, group.getValue())));
    }
    out.sort((a, b) -> a.labels().compareTo(b.labels()));
    Errors.checkDistinct(out);
    return new Value.Vector(out);
  }

  static double bucketQuantile(double q, List<Bucket> input) {
    if (Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    List<Bucket> buckets = new ArrayList<>(input);
    buckets.sort(Comparator.comparingDouble(Bucket::upperBound));
    if (buckets.get(buckets.size() - 1).upperBound() != Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    // Coalesce buckets with the same upper bound.
    List<Bucket> coalesced = new ArrayList<>();
    for (Bucket bucket : buckets) {
      int last = coalesced.size() - 1;
      if (last >= 0 && coalesced.get(last).upperBound() == bucket.upperBound()) {
        coalesced.set(last, new Bucket(bucket.upperBound(), coalesced.get(last).count() + bucket.count()));
      } else {
        coalesced.add(bucket);
      }
    }
    // Ensure monotonic counts.
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < coalesced.size(); i++) {
      double count = coalesced.get(i).count();
      if (count > max) {
        max = count;
      } else if (count < max) {
        coalesced.set(i, new Bucket(coalesced.get(i).upperBound(), max));
      }
    }
    if (coalesced.size() < 2) {
      return Double.NaN;
    }
    double observations = coalesced.get(coalesced.size() - 1).count();
    if (observations == 0) {
      return Double.NaN;
    }
    double rank = q * observations;
    // The first bucket (among all but the last) whose count reaches the rank.
    int b = coalesced.size() - 1;
    for (int i = 0; i < coalesced.size() - 1; i++) {
      if (coalesced.get(i).count() >= rank) {
        b = i;
        break;
      }
    }
    if (b == coalesced.size() - 1) {
      return coalesced.get(coalesced.size() - 2).upperBound();
    }
    if (b == 0 && coalesced.get(0).upperBound() <= 0) {
      return coalesced.get(0).upperBound();
    }
    double bucketStart = 0;
    double bucketEnd = coalesced.get(b).upperBound();
    double count = coalesced.get(b).count();
    if (b > 0) {
      bucketStart = coalesced.get(b - 1).upperBound();
      count -= coalesced.get(b - 1).count();
      rank -= coalesced.get(b - 1).count();
    }
    return bucketStart + (bucketEnd - bucketStart) * (rank / count);
  }
}
