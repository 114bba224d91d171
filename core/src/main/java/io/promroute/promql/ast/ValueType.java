package io.promroute.promql.ast;

/** The four PromQL value types, with the names Prometheus uses in messages and in API results. */
public enum ValueType {
  /** A single float without labels. */
  SCALAR("scalar"),
  /** A set of series, each with one sample at the evaluation time. */
  INSTANT_VECTOR("instant vector"),
  /** A set of series, each with the samples of a time range ending at the evaluation time. */
  RANGE_VECTOR("range vector"),
  /** A string; only literals, as function and {@code count_values} arguments or a whole query. */
  STRING("string");

  private final String description;

  ValueType(String description) {
    this.description = description;
  }

  /**
   * The name Prometheus's parser uses in error messages, e.g. {@code instant vector}.
   *
   * @return the name
   */
  public String description() {
    return description;
  }

  /**
   * The {@code resultType} of a Prometheus API answer of this type.
   *
   * @return {@code scalar}, {@code vector}, {@code matrix} or {@code string}
   */
  public String resultType() {
    return switch (this) {
      case SCALAR -> "scalar";
      case INSTANT_VECTOR -> "vector";
      case RANGE_VECTOR -> "matrix";
      case STRING -> "string";
    };
  }
}
