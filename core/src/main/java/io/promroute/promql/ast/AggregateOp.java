package io.promroute.promql.ast;

/** An aggregation operator, with its PromQL spelling and the type of its parameter, if any. */
public enum AggregateOp {
  /** {@code sum}: the sum of each group's values. */
  SUM("sum", null),
  /** {@code avg}: the arithmetic mean of each group's values. */
  AVG("avg", null),
  /** {@code count}: the number of series in each group. */
  COUNT("count", null),
  /** {@code min}: the smallest value of each group. */
  MIN("min", null),
  /** {@code max}: the largest value of each group. */
  MAX("max", null),
  /** {@code group}: 1 for each group (Prometheus 2.20). */
  GROUP("group", null),
  /** {@code stddev}: the population standard deviation of each group's values. */
  STDDEV("stddev", null),
  /** {@code stdvar}: the population variance of each group's values. */
  STDVAR("stdvar", null),
  /** {@code topk(k, ...)}: the k series with the largest values of each group, labels kept. */
  TOPK("topk", ValueType.SCALAR),
  /** {@code bottomk(k, ...)}: the k series with the smallest values of each group, labels kept. */
  BOTTOMK("bottomk", ValueType.SCALAR),
  /**
   * {@code count_values("label", ...)}: the number of series with each distinct value, the value
   * written into the label named by the parameter.
   */
  COUNT_VALUES("count_values", ValueType.STRING),
  /** {@code quantile(q, ...)}: the q-quantile (0 &le; q &le; 1) of each group's values. */
  QUANTILE("quantile", ValueType.SCALAR),
  /**
   * {@code limitk(k, ...)}: some k series of each group, labels kept. Experimental (Prometheus
   * 2.54).
   */
  LIMITK("limitk", ValueType.SCALAR),
  /**
   * {@code limit_ratio(r, ...)}: a deterministic sample of about the ratio r of each group's
   * series. Experimental (Prometheus 2.54).
   */
  LIMIT_RATIO("limit_ratio", ValueType.SCALAR);

  private final String keyword;
  private final ValueType parameterType;

  AggregateOp(String keyword, ValueType parameterType) {
    this.keyword = keyword;
    this.parameterType = parameterType;
  }

  /**
   * The operator as written, e.g. {@code count_values}.
   *
   * @return the PromQL keyword
   */
  public String keyword() {
    return keyword;
  }

  /**
   * Whether the operator takes a parameter before the aggregated expression ({@code topk(5, x)}).
   *
   * @return {@code true} for {@code topk}, {@code bottomk}, {@code count_values}, {@code quantile},
   *     {@code limitk} and {@code limit_ratio}
   */
  public boolean hasParameter() {
    return parameterType != null;
  }

  /**
   * The type of the first argument of a parameterised aggregation.
   *
   * @return {@link ValueType#STRING} for {@code count_values}, {@link ValueType#SCALAR} for the
   *     other parameterised operators, {@code null} for an operator without a parameter
   */
  public ValueType parameterType() {
    return parameterType;
  }

  /**
   * Whether Prometheus accepts the operator only with {@code
   * --enable-feature=promql-experimental-functions}.
   *
   * @return {@code true} for {@code limitk} and {@code limit_ratio}
   */
  public boolean isExperimental() {
    return this == LIMITK || this == LIMIT_RATIO;
  }
}
