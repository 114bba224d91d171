package io.promroute.promql.ast;

/** The four PromQL value types, with the names Prometheus uses in messages and in API results. */
public enum ValueType {
  SCALAR("scalar"),
  INSTANT_VECTOR("instant vector"),
  RANGE_VECTOR("range vector"),
  STRING("string");

  private final String description;

  ValueType(String description) {
    this.description = description;
  }

  /** The name Prometheus's parser uses in error messages, e.g. {@code instant vector}. */
  public String description() {
    return description;
  }

  /** The {@code resultType} of a Prometheus API answer: {@code scalar}, {@code vector}, {@code matrix} or {@code string}. */
  public String resultType() {
    return switch (this) {
      case SCALAR -> "scalar";
      case INSTANT_VECTOR -> "vector";
      case RANGE_VECTOR -> "matrix";
      case STRING -> "string";
    };
  }
}
