package io.promroute.promql.ast;

import static io.promroute.promql.ast.KnownFunction.Availability.EXPERIMENTAL;
import static io.promroute.promql.ast.KnownFunction.Availability.PROMETHEUS_2_ONLY;
import static io.promroute.promql.ast.KnownFunction.Availability.STABLE;
import static io.promroute.promql.ast.KnownFunction.LabelArguments.ALL;
import static io.promroute.promql.ast.KnownFunction.LabelArguments.NONE;
import static io.promroute.promql.ast.KnownFunction.LabelArguments.labels;
import static io.promroute.promql.ast.KnownFunction.Shape.ABSENCE;
import static io.promroute.promql.ast.KnownFunction.Shape.JOINS_OTHER_SERIES;
import static io.promroute.promql.ast.KnownFunction.Shape.NO_OUTPUT_LABELS;
import static io.promroute.promql.ast.KnownFunction.Shape.ORDERS;
import static io.promroute.promql.ast.KnownFunction.Shape.PER_SERIES;
import static io.promroute.promql.ast.KnownFunction.Shape.WRITES_LABEL;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every PromQL function, one constant each: Prometheus 3.14's {@code promql/parser/functions.go}
 * plus the 2.x function that 3.0 removed ({@code holt_winters}). Each constant carries what the
 * rest of the code needs to know about the function: its signature (the parser's {@link
 * Function}), which Prometheus versions know it, how its output series relate to its input
 * ({@link Shape}: what decides whether shards can compute it) and which arguments name labels.
 * Code that treats functions differently switches over these constants or their shapes without
 * a {@code default}, so a new constant fails to compile until every such switch handles it.
 *
 * <p>Each row: the name, availability, shape and label arguments; then the signature as {@link
 * Function} has it (return type, variadic, argument types).
 */
public enum KnownFunction {
  ABS("abs", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  ABSENT("absent", STABLE, ABSENCE, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  ABSENT_OVER_TIME("absent_over_time", STABLE, ABSENCE, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  ACOS("acos", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  ACOSH("acosh", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  ASIN("asin", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  ASINH("asinh", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  ATAN("atan", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  ATANH("atanh", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  AVG_OVER_TIME("avg_over_time", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  CEIL("ceil", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  CHANGES("changes", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  CLAMP("clamp", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR, ValueType.SCALAR, ValueType.SCALAR),
  CLAMP_MAX("clamp_max", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR, ValueType.SCALAR),
  CLAMP_MIN("clamp_min", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR, ValueType.SCALAR),
  COS("cos", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  COSH("cosh", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  COUNT_OVER_TIME("count_over_time", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  DAY_OF_MONTH("day_of_month", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR),
  DAY_OF_WEEK("day_of_week", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR),
  DAY_OF_YEAR("day_of_year", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR),
  DAYS_IN_MONTH("days_in_month", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR),
  DEG("deg", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  DELTA("delta", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  DERIV("deriv", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  DOUBLE_EXPONENTIAL_SMOOTHING("double_exponential_smoothing", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR, ValueType.SCALAR, ValueType.SCALAR),
  END("end", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.SCALAR, 0),
  EXP("exp", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  FIRST_OVER_TIME("first_over_time", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  FLOOR("floor", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  HISTOGRAM_AVG("histogram_avg", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  HISTOGRAM_COUNT("histogram_count", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  HISTOGRAM_FRACTION("histogram_fraction", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.SCALAR, ValueType.SCALAR, ValueType.INSTANT_VECTOR),
  HISTOGRAM_QUANTILE("histogram_quantile", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.SCALAR, ValueType.INSTANT_VECTOR),
  HISTOGRAM_QUANTILES("histogram_quantiles", EXPERIMENTAL, WRITES_LABEL, labels(1, 0, 0),
      ValueType.INSTANT_VECTOR, 9, ValueType.INSTANT_VECTOR, ValueType.STRING, ValueType.SCALAR, ValueType.SCALAR),
  HISTOGRAM_STDDEV("histogram_stddev", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  HISTOGRAM_STDVAR("histogram_stdvar", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  HISTOGRAM_SUM("histogram_sum", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  HOLT_WINTERS("holt_winters", PROMETHEUS_2_ONLY, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR, ValueType.SCALAR, ValueType.SCALAR),
  HOUR("hour", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR),
  IDELTA("idelta", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  INCREASE("increase", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  INFO("info", EXPERIMENTAL, JOINS_OTHER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR, ValueType.INSTANT_VECTOR),
  IRATE("irate", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  LABEL_JOIN("label_join", STABLE, WRITES_LABEL, labels(1, 3, ALL),
      ValueType.INSTANT_VECTOR, -1, ValueType.INSTANT_VECTOR, ValueType.STRING, ValueType.STRING, ValueType.STRING),
  LABEL_REPLACE("label_replace", STABLE, WRITES_LABEL, labels(1, 3, 4),
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR, ValueType.STRING, ValueType.STRING, ValueType.STRING, ValueType.STRING),
  LAST_OVER_TIME("last_over_time", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  LN("ln", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  LOG10("log10", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  LOG2("log2", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  MAD_OVER_TIME("mad_over_time", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  MAX_OF("max_of", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.SCALAR, 0, ValueType.SCALAR, ValueType.SCALAR),
  MAX_OVER_TIME("max_over_time", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  MIN_OF("min_of", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.SCALAR, 0, ValueType.SCALAR, ValueType.SCALAR),
  MIN_OVER_TIME("min_over_time", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  MINUTE("minute", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR),
  MONTH("month", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR),
  PI("pi", STABLE, PER_SERIES, NONE,
      ValueType.SCALAR, 0),
  PREDICT_LINEAR("predict_linear", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR, ValueType.SCALAR),
  PRESENT_OVER_TIME("present_over_time", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  QUANTILE_OVER_TIME("quantile_over_time", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.SCALAR, ValueType.RANGE_VECTOR),
  RAD("rad", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  RANGE("range", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.SCALAR, 0),
  RATE("rate", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  RESETS("resets", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  ROUND("round", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR, ValueType.SCALAR),
  SCALAR("scalar", STABLE, NO_OUTPUT_LABELS, NONE,
      ValueType.SCALAR, 0, ValueType.INSTANT_VECTOR),
  SGN("sgn", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  SIN("sin", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  SINH("sinh", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  SORT("sort", STABLE, ORDERS, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  SORT_BY_LABEL("sort_by_label", EXPERIMENTAL, ORDERS, labels(-1, 1, ALL),
      ValueType.INSTANT_VECTOR, -1, ValueType.INSTANT_VECTOR, ValueType.STRING),
  SORT_BY_LABEL_DESC("sort_by_label_desc", EXPERIMENTAL, ORDERS, labels(-1, 1, ALL),
      ValueType.INSTANT_VECTOR, -1, ValueType.INSTANT_VECTOR, ValueType.STRING),
  SORT_DESC("sort_desc", STABLE, ORDERS, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  SQRT("sqrt", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  START("start", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.SCALAR, 0),
  START_TIMESTAMP("start_timestamp", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  STDDEV_OVER_TIME("stddev_over_time", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  STDVAR_OVER_TIME("stdvar_over_time", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  STEP("step", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.SCALAR, 0),
  SUM_OVER_TIME("sum_over_time", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  TAN("tan", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  TANH("tanh", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  TIME("time", STABLE, PER_SERIES, NONE,
      ValueType.SCALAR, 0),
  TIMESTAMP("timestamp", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  TS_OF_FIRST_OVER_TIME("ts_of_first_over_time", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  TS_OF_LAST_OVER_TIME("ts_of_last_over_time", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  TS_OF_MAX_OVER_TIME("ts_of_max_over_time", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  TS_OF_MIN_OVER_TIME("ts_of_min_over_time", EXPERIMENTAL, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  VECTOR("vector", STABLE, NO_OUTPUT_LABELS, NONE,
      ValueType.INSTANT_VECTOR, 0, ValueType.SCALAR),
  YEAR("year", STABLE, PER_SERIES, NONE,
      ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR);

  /** How a function's output series relate to its input series. */
  public enum Shape {
    /**
     * Each output series comes from one input series, with its labels (the metric name perhaps
     * dropped); scalar-only functions too. Computed over a subset of the series, it gives that
     * subset's answer.
     */
    PER_SERIES,
    /**
     * {@code absent}, {@code absent_over_time}: one series when the input is empty, labelled from
     * the equality matchers of a selector argument.
     */
    ABSENCE,
    /** {@code scalar}, {@code vector}: the whole input becomes one value without labels. */
    NO_OUTPUT_LABELS,
    /** The input series reordered ({@code sort}, {@code sort_by_label}): the order is the answer. */
    ORDERS,
    /** Writes a label named by a string argument, perhaps from labels named by others. */
    WRITES_LABEL,
    /** Joins each input series with other series it selects itself ({@code info}). */
    JOINS_OTHER_SERIES
  }

  /** Which Prometheus versions know the function. */
  public enum Availability {
    /** Every version the router supports. */
    STABLE,
    /** Needs {@code --enable-feature=promql-experimental-functions} in Prometheus 3. */
    EXPERIMENTAL,
    /** Prometheus 2.x only ({@code holt_winters}). */
    PROMETHEUS_2_ONLY
  }

  /**
   * The string arguments that name labels.
   *
   * @param written the argument naming the label the function writes, or -1
   * @param readFrom the first argument naming a label the function reads
   * @param readTo past the last such argument ({@link Integer#MAX_VALUE}: all that follow)
   */
  public record LabelArguments(int written, int readFrom, int readTo) {
    /** No argument names a label. */
    public static final LabelArguments NONE = new LabelArguments(-1, 0, 0);

    /** As {@code readTo}: every argument from {@code readFrom} on. */
    public static final int ALL = Integer.MAX_VALUE;

    static LabelArguments labels(int written, int readFrom, int readTo) {
      return new LabelArguments(written, readFrom, readTo);
    }

    /** Whether argument {@code index} names a label the function reads. */
    public boolean reads(int index) {
      return index >= readFrom && index < readTo;
    }
  }

  private final Function signature;
  private final Availability availability;
  private final Shape shape;
  private final LabelArguments labelArguments;

  KnownFunction(
      String name,
      Availability availability,
      Shape shape,
      LabelArguments labelArguments,
      ValueType returnType,
      int variadic,
      ValueType... argTypes) {
    this.signature =
        new Function(
            name,
            List.of(argTypes),
            variadic,
            returnType,
            availability == Availability.EXPERIMENTAL,
            availability == Availability.PROMETHEUS_2_ONLY);
    this.availability = availability;
    this.shape = shape;
    this.labelArguments = labelArguments;
  }

  private static final class Names {
    static final Map<String, KnownFunction> BY_NAME = new HashMap<>();

    static {
      for (KnownFunction function : values()) {
        BY_NAME.put(function.signature.name(), function);
      }
    }
  }

  /** The function with this exact name, or {@code null}. */
  static KnownFunction byName(String name) {
    return Names.BY_NAME.get(name);
  }

  /** The name as written in queries. */
  public String functionName() {
    return signature.name();
  }

  /** The signature the parser checks calls against. */
  public Function signature() {
    return signature;
  }

  public Availability availability() {
    return availability;
  }

  public Shape shape() {
    return shape;
  }

  /** Which string arguments name labels it writes or reads. */
  public LabelArguments labelArguments() {
    return labelArguments;
  }
}
