package io.promroute.promql.ast;

/**
 * The experimental extended range selector modifiers of Prometheus 3.7 ({@code anchored},
 * {@code smoothed}), or none.
 */
public enum RangeSmoothing {
  NONE(""),
  ANCHORED("anchored"),
  SMOOTHED("smoothed");

  private final String keyword;

  RangeSmoothing(String keyword) {
    this.keyword = keyword;
  }

  /** The keyword as written, empty for {@link #NONE}. */
  public String keyword() {
    return keyword;
  }
}
