package io.promroute.promql.ast;

/** An aggregation operator, with its PromQL spelling and the type of its parameter, if any. */
public enum AggregateOp {
  SUM("sum", null),
  AVG("avg", null),
  COUNT("count", null),
  MIN("min", null),
  MAX("max", null),
  GROUP("group", null),
  STDDEV("stddev", null),
  STDVAR("stdvar", null),
  TOPK("topk", ValueType.SCALAR),
  BOTTOMK("bottomk", ValueType.SCALAR),
  COUNT_VALUES("count_values", ValueType.STRING),
  QUANTILE("quantile", ValueType.SCALAR),
  /** Experimental (Prometheus 2.54). */
  LIMITK("limitk", ValueType.SCALAR),
  /** Experimental (Prometheus 2.54). */
  LIMIT_RATIO("limit_ratio", ValueType.SCALAR);

  private final String keyword;
  private final ValueType parameterType;

  AggregateOp(String keyword, ValueType parameterType) {
    this.keyword = keyword;
    this.parameterType = parameterType;
  }

  /** The operator as written, e.g. {@code count_values}. */
  public String keyword() {
    return keyword;
  }

  public boolean hasParameter() {
    return parameterType != null;
  }

  /** The type of the first argument of a parameterised aggregation, or {@code null}. */
  public ValueType parameterType() {
    return parameterType;
  }

  public boolean isExperimental() {
    return this == LIMITK || this == LIMIT_RATIO;
  }
}
