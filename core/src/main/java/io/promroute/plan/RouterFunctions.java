package io.promroute.plan;

import io.promroute.api.NativeHistogram;
import io.promroute.api.QueryResult;
import io.promroute.compat.LabelNames;
import io.promroute.compat.PromRegex;
import io.promroute.promql.ast.KnownFunction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * The functions the router computes over global values, as Prometheus 2.42 defines them (3.x for
 * its own functions): one exhaustive switch over {@link KnownFunction}, so a new function does not
 * compile until it says how the router computes it, or that it cannot.
 */
final class RouterFunctions {

  private RouterFunctions() {}

  /** A function computed from its arguments' global values at one evaluation time. */
  @FunctionalInterface
  interface Implementation {
    /**
     * @param args the arguments' values, in written order
     * @param absentLabels the labels absent() gives its one series
     * @param time the evaluation time, in milliseconds
     */
    Value apply(List<Value> args, Labels absentLabels, long time);
  }

  private static final Map<KnownFunction, Implementation> IMPLEMENTATIONS =
      new EnumMap<>(KnownFunction.class);

  static {
    for (KnownFunction function : KnownFunction.values()) {
      Implementation implementation = implementation(function);
      if (implementation != null) {
        IMPLEMENTATIONS.put(function, implementation);
      }
    }
  }

  /** Whether the router can compute the function from its arguments' global values. */
  static boolean supports(KnownFunction function) {
    return IMPLEMENTATIONS.containsKey(function);
  }

  static Value call(KnownFunction function, List<Value> args, Labels absentLabels, long time) {
    Implementation implementation = IMPLEMENTATIONS.get(function);
    if (implementation == null) {
      throw new IllegalStateException("function " + function.functionName() + " is not planned");
    }
    return implementation.apply(args, absentLabels, time);
  }

  /**
   * How the router computes each function; null where the merged values do not carry what it needs
   * (native histograms, series start times, other shards' info metrics) or it is not written yet.
   */
  private static Implementation implementation(KnownFunction function) {
    return switch (function) {
      case ABS -> perSeries(Math::abs);
      case CEIL -> perSeries(Math::ceil);
      case FLOOR -> perSeries(Math::floor);
      case EXP -> perSeries(GoMath::exp);
      case SQRT -> perSeries(Math::sqrt);
      case LN -> perSeries(GoMath::log);
      case LOG2 -> perSeries(GoMath::log2);
      case LOG10 -> perSeries(GoMath::log10);
      case SGN -> perSeries(x -> x < 0 ? -1 : (x > 0 ? 1 : x));
      case ACOS -> perSeries(GoMath::acos);
      case ASIN -> perSeries(GoMath::asin);
      case ATAN -> perSeries(GoMath::atan);
      case COS -> perSeries(GoMath::cos);
      case SIN -> perSeries(GoMath::sin);
      case TAN -> perSeries(GoMath::tan);
      case COSH -> perSeries(GoMath::cosh);
      case SINH -> perSeries(GoMath::sinh);
      case TANH -> perSeries(GoMath::tanh);
      case ACOSH -> perSeries(GoMath::acosh);
      case ASINH -> perSeries(GoMath::asinh);
      case ATANH -> perSeries(GoMath::atanh);
      case DEG -> perSeries(x -> x * 180 / Math.PI);
      case RAD -> perSeries(x -> x * Math.PI / 180);
      case DAY_OF_MONTH, DAY_OF_WEEK, DAY_OF_YEAR, DAYS_IN_MONTH, HOUR, MINUTE, MONTH, YEAR ->
          date(function.functionName());
      case SCALAR ->
          (args, absentLabels, time) -> {
            List<Sample> vector = PlanNode.Nodes.vector(args.get(0));
            return new Value.Scalar(vector.size() == 1 ? vector.get(0).value() : Double.NaN);
          };
      case VECTOR ->
          (args, absentLabels, time) ->
              new Value.Vector(
                  List.of(new Sample(Labels.EMPTY, PlanNode.Nodes.scalar(args.get(0)))));
      case TIME -> (args, absentLabels, time) -> new Value.Scalar(time / 1000.0);
      case PI -> (args, absentLabels, time) -> new Value.Scalar(Math.PI);
      // Go's math.Max and math.Min: NaN wins, +0 is above -0, as Java's.
      case MAX_OF ->
          (args, absentLabels, time) ->
              new Value.Scalar(
                  Math.max(PlanNode.Nodes.scalar(args.get(0)), PlanNode.Nodes.scalar(args.get(1))));
      case MIN_OF ->
          (args, absentLabels, time) ->
              new Value.Scalar(
                  Math.min(PlanNode.Nodes.scalar(args.get(0)), PlanNode.Nodes.scalar(args.get(1))));
      case SORT -> (args, absentLabels, time) -> sort(args.get(0), false);
      case SORT_DESC -> (args, absentLabels, time) -> sort(args.get(0), true);
      case ABSENT -> RouterFunctions::absent;
      // Over a subquery of merged values: true where no series has a point in the window; no
      // labels, as Prometheus gives an argument that is not a selector.
      case ABSENT_OVER_TIME ->
          (args, absentLabels, time) ->
              absent(
                  List.of(
                      RangeFunctions.droppingName(RangeFunctions::present)
                          .apply(args, absentLabels, time)),
                  absentLabels,
                  time);
      case HISTOGRAM_QUANTILE ->
          (args, absentLabels, time) ->
              histogramQuantile(
                  PlanNode.Nodes.scalar(args.get(0)), PlanNode.Nodes.vector(args.get(1)));
      case ROUND ->
          (args, absentLabels, time) -> {
            double toNearest = args.size() > 1 ? PlanNode.Nodes.scalar(args.get(1)) : 1;
            double inverse = 1.0 / toNearest;
            return perSeries(args.get(0), v -> Math.floor(v * inverse + 0.5) / inverse);
          };
      case CLAMP ->
          (args, absentLabels, time) -> {
            double min = PlanNode.Nodes.scalar(args.get(1));
            double max = PlanNode.Nodes.scalar(args.get(2));
            if (max < min) {
              return new Value.Vector(List.of());
            }
            return perSeries(args.get(0), v -> goMax(min, goMin(max, v)));
          };
      case CLAMP_MIN ->
          (args, absentLabels, time) -> {
            double min = PlanNode.Nodes.scalar(args.get(1));
            return perSeries(args.get(0), v -> goMax(min, v));
          };
      case CLAMP_MAX ->
          (args, absentLabels, time) -> {
            double max = PlanNode.Nodes.scalar(args.get(1));
            return perSeries(args.get(0), v -> goMin(max, v));
          };
      case LABEL_REPLACE -> (args, absentLabels, time) -> labelReplace(args);
      case LABEL_JOIN -> (args, absentLabels, time) -> labelJoin(args);
      // Router-computed vectors are stamped with the evaluation time.
      case TIMESTAMP -> (args, absentLabels, time) -> perSeries(args.get(0), v -> time / 1000.0);
      case AVG_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::average);
      case MIN_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::min);
      case MAX_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::max);
      case SUM_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::sum);
      case COUNT_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::count);
      case FIRST_OVER_TIME -> RangeFunctions.keepingName(RangeFunctions::first);
      case LAST_OVER_TIME -> RangeFunctions.keepingName(RangeFunctions::last);
      case PRESENT_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::present);
      case STDDEV_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::stddev);
      case STDVAR_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::stdvar);
      case QUANTILE_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::quantile);
      case MAD_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::medianAbsoluteDeviation);
      case RATE -> RangeFunctions.droppingName(RangeFunctions::rate);
      case INCREASE -> RangeFunctions.droppingName(RangeFunctions::increase);
      case DELTA -> RangeFunctions.droppingName(RangeFunctions::delta);
      case IRATE -> RangeFunctions.droppingName(RangeFunctions::irate);
      case IDELTA -> RangeFunctions.droppingName(RangeFunctions::idelta);
      case CHANGES -> RangeFunctions.droppingName(RangeFunctions::changes);
      case RESETS -> RangeFunctions.droppingName(RangeFunctions::resets);
      case DERIV -> RangeFunctions.droppingName(RangeFunctions::deriv);
      case PREDICT_LINEAR -> RangeFunctions.droppingName(RangeFunctions::predictLinear);
      case HOLT_WINTERS, DOUBLE_EXPONENTIAL_SMOOTHING ->
          RangeFunctions.droppingName(RangeFunctions::smoothed);
      case TS_OF_FIRST_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::timeOfFirst);
      case TS_OF_LAST_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::timeOfLast);
      case TS_OF_MAX_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::timeOfMax);
      case TS_OF_MIN_OVER_TIME -> RangeFunctions.droppingName(RangeFunctions::timeOfMin);
      // They read native histogram samples only and skip floats.
      case HISTOGRAM_COUNT -> perHistogram(NativeHistogram::count);
      case HISTOGRAM_SUM -> perHistogram(NativeHistogram::sum);
      case HISTOGRAM_AVG -> perHistogram(histogram -> histogram.sum() / histogram.count());
      case HISTOGRAM_FRACTION ->
          (args, absentLabels, time) -> {
            double lower = PlanNode.Nodes.scalar(args.get(0));
            double upper = PlanNode.Nodes.scalar(args.get(1));
            return perHistogram(
                    histogram -> NativeHistogramFunctions.fraction(lower, upper, histogram))
                .apply(List.of(args.get(2)), absentLabels, time);
          };
      // Prometheus 3's estimates from bucket midpoints: not written yet.
      case HISTOGRAM_STDDEV, HISTOGRAM_STDVAR ->
          perHistogram(
              histogram -> {
                throw Errors.execution(
                    "the router does not compute "
                        + function.functionName()
                        + " of native histograms merged across shards");
              });
      // Prometheus 3 also reads classic buckets (le) with it: not written yet.
      case HISTOGRAM_QUANTILES -> null;
      // Series start times are not in the answers; info() reads every shard's info metrics.
      case START_TIMESTAMP, INFO -> null;
      // The request's times inside durations; not asked of merged values.
      case START, END, STEP, RANGE -> null;
      case SORT_BY_LABEL -> (args, absentLabels, time) -> sortByLabel(args, false);
      case SORT_BY_LABEL_DESC -> (args, absentLabels, time) -> sortByLabel(args, true);
    };
  }

  private static Value absent(List<Value> args, Labels absentLabels, long time) {
    return PlanNode.Nodes.vector(args.get(0)).isEmpty()
        ? new Value.Vector(List.of(new Sample(absentLabels, 1)))
        : new Value.Vector(List.of());
  }

  private static Implementation date(String name) {
    return (args, absentLabels, time) -> {
      Value input =
          args.isEmpty()
              ? new Value.Vector(List.of(new Sample(Labels.EMPTY, time / 1000.0)))
              : args.get(0);
      return perSeries(input, seconds -> GoDates.date(name, seconds));
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

  /**
   * Go's Regexp.ExpandString: $name or ${name}, the longest name of letters, digits, _; $$ is $.
   */
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
        if (close < 0
            || name.isEmpty()
            || !name.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
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
      out.add(
          new Sample(sample.labels().with(dst, String.join(separator, values)), sample.value()));
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

  /** A function of each value, dropping the metric name. */
  private static Implementation perSeries(DoubleUnaryOperator function) {
    return (args, absentLabels, time) -> perSeries(args.get(0), function);
  }

  private static Value perSeries(Value input, DoubleUnaryOperator function) {
    List<Sample> out = new ArrayList<>();
    for (Sample sample : PlanNode.Nodes.vector(input)) {
      out.add(
          new Sample(sample.labels().withoutMetricName(), function.applyAsDouble(sample.value())));
    }
    Errors.checkDistinct(out);
    return new Value.Vector(out);
  }

  /**
   * Ascending (or descending), NaN last either way, as 2.42 sorts (the reverse of a heap order with
   * NaN first); equal values keep their input (global label) order.
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

  /**
   * 3.x's sort_by_label(_desc): by the named labels' values in natural order, then (for a total
   * order) by the whole label set; descending reverses both.
   */
  private static Value sortByLabel(List<Value> args, boolean descending) {
    List<String> names = new ArrayList<>();
    for (int i = 1; i < args.size(); i++) {
      names.add(string(args.get(i)));
    }
    List<Sample> out = new ArrayList<>(PlanNode.Nodes.vector(args.get(0)));
    out.sort(
        (a, b) -> {
          for (String name : names) {
            String x = a.labels().get(name);
            String y = b.labels().get(name);
            if (x.equals(y)) {
              continue;
            }
            boolean before = NaturalOrder.precedes(x, y);
            return descending == before ? 1 : -1;
          }
          int byLabels = a.labels().compareTo(b.labels());
          return descending ? -byLabels : byLabels;
        });
    return new Value.Vector(out);
  }

  /**
   * A function of each native histogram sample, its metric name dropped; float samples skipped
   * (Prometheus 2.42's histogram_count, histogram_sum, histogram_fraction).
   */
  private static Implementation perHistogram(
      java.util.function.ToDoubleFunction<NativeHistogram> function) {
    return (args, absentLabels, time) -> {
      List<Sample> out = new ArrayList<>();
      for (Sample sample : PlanNode.Nodes.vector(args.get(0))) {
        if (sample.histogram() != null) {
          out.add(
              new Sample(
                  sample.labels().withoutMetricName(), function.applyAsDouble(sample.histogram())));
        }
      }
      Errors.checkDistinct(out);
      return new Value.Vector(out);
    };
  }

  private record Bucket(double upperBound, double count) {}

  /**
   * 2.42's histogram_quantile: native histograms each, then classic buckets grouped by all labels
   * but {@code le}; a native histogram whose labels are those of a group of classic buckets gives
   * nothing, nor does that group.
   */
  private static Value histogramQuantile(double q, List<Sample> input) {
    Map<Labels, List<Bucket>> groups = new LinkedHashMap<>();
    Map<Labels, Labels> outputLabels = new LinkedHashMap<>();
    List<Sample> histograms = new ArrayList<>();
    for (Sample sample : input) {
      if (sample.histogram() != null) {
        histograms.add(sample);
        continue;
      }
      double upperBound;
      try {
        upperBound = QueryResult.parseValue(sample.labels().get("le"));
      } catch (IOException e) {
        // No or malformed le label: Prometheus skips the sample.
        continue;
      }
      Labels signature = sample.labels().without(List.of("le"));
      groups
          .computeIfAbsent(signature, unused -> new ArrayList<>())
          .add(new Bucket(upperBound, sample.value()));
      outputLabels.computeIfAbsent(signature, unused -> signature.withoutMetricName());
    }
    List<Sample> out = new ArrayList<>();
    for (Sample sample : histograms) {
      if (groups.remove(sample.labels()) != null) {
        continue;
      }
      out.add(
          new Sample(
              sample.labels().withoutMetricName(),
              NativeHistogramFunctions.quantile(q, sample.histogram())));
    }
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
        coalesced.set(
            last, new Bucket(bucket.upperBound(), coalesced.get(last).count() + bucket.count()));
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
