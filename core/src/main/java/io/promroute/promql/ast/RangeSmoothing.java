package io.promroute.promql.ast;

/**
 * The experimental extended range selector modifiers of Prometheus 3.7 ({@code anchored}, {@code
 * smoothed}), or none.
 */
public enum RangeSmoothing {
  /**
   * No modifier: the samples inside the range, extrapolated at its ends by {@code rate} and
   * friends.
   */
  NONE(""),
  /** {@code anchored}: the range's ends are taken from the samples at or just before them. */
  ANCHORED("anchored"),
  /**
   * {@code smoothed}: the values at the range's ends are interpolated between neighbouring samples.
   */
  SMOOTHED("smoothed");

  private final String keyword;

  RangeSmoothing(String keyword) {
    this.keyword = keyword;
  }

  /**
   * The keyword as written.
   *
   * @return {@code anchored}, {@code smoothed}, or empty for {@link #NONE}
   */
  public String keyword() {
    return keyword;
  }
}
