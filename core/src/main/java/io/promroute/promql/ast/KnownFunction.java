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
 * rest of the code needs to know about the function: its signature (the parser's {@link Function}),
 * which Prometheus versions know it, how its output series relate to its input ({@link Shape}: what
 * decides whether shards can compute it) and which arguments name labels. Code that treats
 * functions differently switches over these constants or their shapes without a {@code default}, so
 * a new constant fails to compile until every such switch handles it.
 *
 * <p>Each row: the name, availability, shape and label arguments; then the signature as {@link
 * Function} has it (return type, variadic, argument types).
 */
public enum KnownFunction {
  /** {@code abs}: the absolute value of each sample. */
  ABS("abs", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /**
   * {@code absent}: one series of value 1 when its argument is empty, labelled from the equality
   * matchers of a selector argument; nothing otherwise.
   */
  ABSENT("absent", STABLE, ABSENCE, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /**
   * {@code absent_over_time}: as {@code absent}, for a range: one series when no input series has a
   * sample in the range.
   */
  ABSENT_OVER_TIME(
      "absent_over_time",
      STABLE,
      ABSENCE,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /** {@code acos}: the arccosine of each sample, in radians. */
  ACOS("acos", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code acosh}: the inverse hyperbolic cosine of each sample. */
  ACOSH("acosh", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code asin}: the arcsine of each sample, in radians. */
  ASIN("asin", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code asinh}: the inverse hyperbolic sine of each sample. */
  ASINH("asinh", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code atan}: the arctangent of each sample, in radians. */
  ATAN("atan", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code atanh}: the inverse hyperbolic tangent of each sample. */
  ATANH("atanh", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code avg_over_time}: the average of each series' samples in the range. */
  AVG_OVER_TIME(
      "avg_over_time",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /** {@code ceil}: each sample rounded up to an integer. */
  CEIL("ceil", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code changes}: how many times each series' value changed in the range. */
  CHANGES("changes", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  /** {@code clamp}: each sample limited to {@code [min, max]}. */
  CLAMP(
      "clamp",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.INSTANT_VECTOR,
      ValueType.SCALAR,
      ValueType.SCALAR),
  /** {@code clamp_max}: each sample limited to at most the scalar. */
  CLAMP_MAX(
      "clamp_max",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.INSTANT_VECTOR,
      ValueType.SCALAR),
  /** {@code clamp_min}: each sample limited to at least the scalar. */
  CLAMP_MIN(
      "clamp_min",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.INSTANT_VECTOR,
      ValueType.SCALAR),
  /** {@code cos}: the cosine of each sample (radians). */
  COS("cos", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code cosh}: the hyperbolic cosine of each sample. */
  COSH("cosh", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code count_over_time}: how many samples each series has in the range. */
  COUNT_OVER_TIME(
      "count_over_time",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /**
   * {@code day_of_month}: the day of the month (1 to 31, UTC) of each sample's value as a Unix
   * time, or of the evaluation time.
   */
  DAY_OF_MONTH(
      "day_of_month",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      1,
      ValueType.INSTANT_VECTOR),
  /**
   * {@code day_of_week}: the day of the week (0 is Sunday, UTC) of each sample's value as a Unix
   * time, or of the evaluation time.
   */
  DAY_OF_WEEK(
      "day_of_week",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      1,
      ValueType.INSTANT_VECTOR),
  /**
   * {@code day_of_year}: the day of the year (1 to 366, UTC) of each sample's value as a Unix time,
   * or of the evaluation time.
   */
  DAY_OF_YEAR(
      "day_of_year",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      1,
      ValueType.INSTANT_VECTOR),
  /**
   * {@code days_in_month}: the number of days in the month (UTC) of each sample's value as a Unix
   * time, or of the evaluation time.
   */
  DAYS_IN_MONTH(
      "days_in_month",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      1,
      ValueType.INSTANT_VECTOR),
  /** {@code deg}: each sample converted from radians to degrees. */
  DEG("deg", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /**
   * {@code delta}: the difference between the first and last value of each gauge in the range,
   * extrapolated to the range's edges.
   */
  DELTA("delta", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  /**
   * {@code deriv}: the per-second derivative of each gauge in the range, by simple linear
   * regression.
   */
  DERIV("deriv", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  /**
   * {@code double_exponential_smoothing}: Prometheus 3's name of {@code holt_winters}: each gauge
   * smoothed with a smoothing and a trend factor.
   */
  DOUBLE_EXPONENTIAL_SMOOTHING(
      "double_exponential_smoothing",
      EXPERIMENTAL,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR,
      ValueType.SCALAR,
      ValueType.SCALAR),
  /** {@code end}: Prometheus 3's end time of the query, as a scalar. */
  END("end", EXPERIMENTAL, PER_SERIES, NONE, ValueType.SCALAR, 0),
  /** {@code exp}: e raised to each sample. */
  EXP("exp", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code first_over_time}: the first sample of each series in the range. */
  FIRST_OVER_TIME(
      "first_over_time",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /** {@code floor}: each sample rounded down to an integer. */
  FLOOR("floor", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code histogram_avg}: the average of the observations in each native histogram. */
  HISTOGRAM_AVG(
      "histogram_avg",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.INSTANT_VECTOR),
  /** {@code histogram_count}: the count of observations in each native histogram. */
  HISTOGRAM_COUNT(
      "histogram_count",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.INSTANT_VECTOR),
  /**
   * {@code histogram_fraction}: the fraction of each native histogram's observations between two
   * bounds.
   */
  HISTOGRAM_FRACTION(
      "histogram_fraction",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.SCALAR,
      ValueType.SCALAR,
      ValueType.INSTANT_VECTOR),
  /**
   * {@code histogram_quantile}: the φ-quantile of each histogram: of classic buckets grouped by
   * their labels other than {@code le}, or of native histograms.
   */
  HISTOGRAM_QUANTILE(
      "histogram_quantile",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.SCALAR,
      ValueType.INSTANT_VECTOR),
  /**
   * {@code histogram_quantiles}: several quantiles of each histogram at once, each in a series
   * labelled by the quantile.
   */
  HISTOGRAM_QUANTILES(
      "histogram_quantiles",
      EXPERIMENTAL,
      WRITES_LABEL,
      labels(1, 0, 0),
      ValueType.INSTANT_VECTOR,
      9,
      ValueType.INSTANT_VECTOR,
      ValueType.STRING,
      ValueType.SCALAR,
      ValueType.SCALAR),
  /**
   * {@code histogram_stddev}: the estimated standard deviation of the observations in each native
   * histogram.
   */
  HISTOGRAM_STDDEV(
      "histogram_stddev",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.INSTANT_VECTOR),
  /**
   * {@code histogram_stdvar}: the estimated variance of the observations in each native histogram.
   */
  HISTOGRAM_STDVAR(
      "histogram_stdvar",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.INSTANT_VECTOR),
  /** {@code histogram_sum}: the sum of the observations in each native histogram. */
  HISTOGRAM_SUM(
      "histogram_sum",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.INSTANT_VECTOR),
  /**
   * {@code holt_winters}: Prometheus 2's double exponential smoothing of each gauge in the range.
   */
  HOLT_WINTERS(
      "holt_winters",
      PROMETHEUS_2_ONLY,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR,
      ValueType.SCALAR,
      ValueType.SCALAR),
  /**
   * {@code hour}: the hour of the day (0 to 23, UTC) of each sample's value as a Unix time, or of
   * the evaluation time.
   */
  HOUR("hour", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR),
  /** {@code idelta}: the difference between the last two samples of each gauge in the range. */
  IDELTA("idelta", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  /**
   * {@code increase}: how much each counter increased in the range, counter resets accounted for
   * and extrapolated to the range's edges.
   */
  INCREASE(
      "increase", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  /**
   * {@code info}: each series joined with the labels of the info series (by default {@code
   * target_info}) that share its identifying labels.
   */
  INFO(
      "info",
      EXPERIMENTAL,
      JOINS_OTHER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      1,
      ValueType.INSTANT_VECTOR,
      ValueType.INSTANT_VECTOR),
  /** {@code irate}: the per-second rate of each counter from its last two samples in the range. */
  IRATE("irate", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  /**
   * {@code label_join}: each series with a label written as other labels' values joined by a
   * separator.
   */
  LABEL_JOIN(
      "label_join",
      STABLE,
      WRITES_LABEL,
      labels(1, 3, ALL),
      ValueType.INSTANT_VECTOR,
      -1,
      ValueType.INSTANT_VECTOR,
      ValueType.STRING,
      ValueType.STRING,
      ValueType.STRING),
  /**
   * {@code label_replace}: each series with a label written from a regular expression's match on
   * another label.
   */
  LABEL_REPLACE(
      "label_replace",
      STABLE,
      WRITES_LABEL,
      labels(1, 3, 4),
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.INSTANT_VECTOR,
      ValueType.STRING,
      ValueType.STRING,
      ValueType.STRING,
      ValueType.STRING),
  /** {@code last_over_time}: the last sample of each series in the range. */
  LAST_OVER_TIME(
      "last_over_time",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /** {@code ln}: the natural logarithm of each sample. */
  LN("ln", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code log10}: the decimal logarithm of each sample. */
  LOG10("log10", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code log2}: the binary logarithm of each sample. */
  LOG2("log2", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code mad_over_time}: the median absolute deviation of each series' samples in the range. */
  MAD_OVER_TIME(
      "mad_over_time",
      EXPERIMENTAL,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /** {@code max_of}: the larger of two scalars. */
  MAX_OF(
      "max_of",
      EXPERIMENTAL,
      PER_SERIES,
      NONE,
      ValueType.SCALAR,
      0,
      ValueType.SCALAR,
      ValueType.SCALAR),
  /** {@code max_over_time}: the largest sample of each series in the range. */
  MAX_OVER_TIME(
      "max_over_time",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /** {@code min_of}: the smaller of two scalars. */
  MIN_OF(
      "min_of",
      EXPERIMENTAL,
      PER_SERIES,
      NONE,
      ValueType.SCALAR,
      0,
      ValueType.SCALAR,
      ValueType.SCALAR),
  /** {@code min_over_time}: the smallest sample of each series in the range. */
  MIN_OVER_TIME(
      "min_over_time",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /**
   * {@code minute}: the minute of the hour (0 to 59, UTC) of each sample's value as a Unix time, or
   * of the evaluation time.
   */
  MINUTE("minute", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR),
  /**
   * {@code month}: the month (1 to 12, UTC) of each sample's value as a Unix time, or of the
   * evaluation time.
   */
  MONTH("month", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR),
  /** {@code pi}: the scalar π. */
  PI("pi", STABLE, PER_SERIES, NONE, ValueType.SCALAR, 0),
  /**
   * {@code predict_linear}: each gauge's value predicted some seconds ahead, by linear regression
   * over the range.
   */
  PREDICT_LINEAR(
      "predict_linear",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR,
      ValueType.SCALAR),
  /** {@code present_over_time}: 1 for each series with any sample in the range. */
  PRESENT_OVER_TIME(
      "present_over_time",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /** {@code quantile_over_time}: the φ-quantile of each series' samples in the range. */
  QUANTILE_OVER_TIME(
      "quantile_over_time",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.SCALAR,
      ValueType.RANGE_VECTOR),
  /** {@code rad}: each sample converted from degrees to radians. */
  RAD("rad", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code range}: Prometheus 3's range of the query (end minus start), as a scalar. */
  RANGE("range", EXPERIMENTAL, PER_SERIES, NONE, ValueType.SCALAR, 0),
  /**
   * {@code rate}: the per-second average rate of each counter in the range, counter resets
   * accounted for and extrapolated to the range's edges.
   */
  RATE("rate", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  /** {@code resets}: how many times each counter reset in the range. */
  RESETS("resets", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.RANGE_VECTOR),
  /**
   * {@code round}: each sample rounded to the nearest multiple of an optional scalar (1 by
   * default), halves up.
   */
  ROUND(
      "round",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      1,
      ValueType.INSTANT_VECTOR,
      ValueType.SCALAR),
  /**
   * {@code scalar}: the value of a one-series vector as a scalar; NaN for any other number of
   * series.
   */
  SCALAR("scalar", STABLE, NO_OUTPUT_LABELS, NONE, ValueType.SCALAR, 0, ValueType.INSTANT_VECTOR),
  /** {@code sgn}: the sign of each sample: -1, 0 or 1. */
  SGN("sgn", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code sin}: the sine of each sample (radians). */
  SIN("sin", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code sinh}: the hyperbolic sine of each sample. */
  SINH("sinh", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code sort}: the series sorted by value, ascending (instant queries only). */
  SORT("sort", STABLE, ORDERS, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /**
   * {@code sort_by_label}: the series sorted by the values of the given labels, in natural order.
   */
  SORT_BY_LABEL(
      "sort_by_label",
      EXPERIMENTAL,
      ORDERS,
      labels(-1, 1, ALL),
      ValueType.INSTANT_VECTOR,
      -1,
      ValueType.INSTANT_VECTOR,
      ValueType.STRING),
  /**
   * {@code sort_by_label_desc}: the series sorted by the values of the given labels, in descending
   * natural order.
   */
  SORT_BY_LABEL_DESC(
      "sort_by_label_desc",
      EXPERIMENTAL,
      ORDERS,
      labels(-1, 1, ALL),
      ValueType.INSTANT_VECTOR,
      -1,
      ValueType.INSTANT_VECTOR,
      ValueType.STRING),
  /** {@code sort_desc}: the series sorted by value, descending (instant queries only). */
  SORT_DESC(
      "sort_desc", STABLE, ORDERS, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code sqrt}: the square root of each sample. */
  SQRT("sqrt", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code start}: Prometheus 3's start time of the query, as a scalar. */
  START("start", EXPERIMENTAL, PER_SERIES, NONE, ValueType.SCALAR, 0),
  /**
   * {@code start_timestamp}: the start timestamp (created time) of each series' sample, where the
   * series records one.
   */
  START_TIMESTAMP(
      "start_timestamp",
      EXPERIMENTAL,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.INSTANT_VECTOR),
  /**
   * {@code stddev_over_time}: the population standard deviation of each series' samples in the
   * range.
   */
  STDDEV_OVER_TIME(
      "stddev_over_time",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /** {@code stdvar_over_time}: the population variance of each series' samples in the range. */
  STDVAR_OVER_TIME(
      "stdvar_over_time",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /** {@code step}: Prometheus 3's step of the query, as a scalar. */
  STEP("step", EXPERIMENTAL, PER_SERIES, NONE, ValueType.SCALAR, 0),
  /** {@code sum_over_time}: the sum of each series' samples in the range. */
  SUM_OVER_TIME(
      "sum_over_time",
      STABLE,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /** {@code tan}: the tangent of each sample (radians). */
  TAN("tan", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code tanh}: the hyperbolic tangent of each sample. */
  TANH("tanh", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /** {@code time}: the evaluation time, in seconds since the Unix epoch, as a scalar. */
  TIME("time", STABLE, PER_SERIES, NONE, ValueType.SCALAR, 0),
  /** {@code timestamp}: the timestamp of each sample, in seconds since the Unix epoch. */
  TIMESTAMP(
      "timestamp", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.INSTANT_VECTOR),
  /**
   * {@code ts_of_first_over_time}: the timestamp of the first sample of each series in the range.
   */
  TS_OF_FIRST_OVER_TIME(
      "ts_of_first_over_time",
      EXPERIMENTAL,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /** {@code ts_of_last_over_time}: the timestamp of the last sample of each series in the range. */
  TS_OF_LAST_OVER_TIME(
      "ts_of_last_over_time",
      EXPERIMENTAL,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /**
   * {@code ts_of_max_over_time}: the timestamp of the largest sample of each series in the range.
   */
  TS_OF_MAX_OVER_TIME(
      "ts_of_max_over_time",
      EXPERIMENTAL,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /**
   * {@code ts_of_min_over_time}: the timestamp of the smallest sample of each series in the range.
   */
  TS_OF_MIN_OVER_TIME(
      "ts_of_min_over_time",
      EXPERIMENTAL,
      PER_SERIES,
      NONE,
      ValueType.INSTANT_VECTOR,
      0,
      ValueType.RANGE_VECTOR),
  /** {@code vector}: a scalar as a one-series vector without labels. */
  VECTOR("vector", STABLE, NO_OUTPUT_LABELS, NONE, ValueType.INSTANT_VECTOR, 0, ValueType.SCALAR),
  /**
   * {@code year}: the year (UTC) of each sample's value as a Unix time, or of the evaluation time.
   */
  YEAR("year", STABLE, PER_SERIES, NONE, ValueType.INSTANT_VECTOR, 1, ValueType.INSTANT_VECTOR);

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
    /**
     * The input series reordered ({@code sort}, {@code sort_by_label}): the order is the answer.
     */
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

    /**
     * @param written the argument naming the label the function writes, or -1
     * @param readFrom the first argument naming a label the function reads
     * @param readTo past the last such argument ({@link #ALL}: all that follow)
     */
    public LabelArguments {}

    static LabelArguments labels(int written, int readFrom, int readTo) {
      return new LabelArguments(written, readFrom, readTo);
    }

    /**
     * Whether argument {@code index} names a label the function reads.
     *
     * @param index the argument's position, from 0
     * @return whether the function reads the label that argument names
     */
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

  /**
   * The name as written in queries.
   *
   * @return the name, e.g. {@code rate}
   */
  public String functionName() {
    return signature.name();
  }

  /**
   * The signature the parser checks calls against.
   *
   * @return the function's argument and return types
   */
  public Function signature() {
    return signature;
  }

  /**
   * Which Prometheus versions know the function.
   *
   * @return its availability
   */
  public Availability availability() {
    return availability;
  }

  /**
   * How its output series relate to its input series: what decides whether shards can compute it.
   *
   * @return its shape
   */
  public Shape shape() {
    return shape;
  }

  /**
   * Which string arguments name labels it writes or reads.
   *
   * @return its label arguments; {@link LabelArguments#NONE} for most functions
   */
  public LabelArguments labelArguments() {
    return labelArguments;
  }
}
