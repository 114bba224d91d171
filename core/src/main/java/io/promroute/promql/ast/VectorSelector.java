package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An instant vector selector: {@code name}, {@code name{matchers}} or {@code {matchers}}, with
 * optional {@code @}, {@code offset} and (experimental) {@code anchored}/{@code smoothed}.
 *
 * <p>{@code matchers} holds the matchers as written between the braces; a metric name written
 * outside the braces is {@code name} and is not repeated among the matchers. A quoted bare name
 * ({@code {"my.metric"}}) is a {@code __name__="my.metric"} matcher, as in Prometheus.
 *
 * @param name the metric name written outside the braces, or {@code null}
 * @param matchers the matchers written inside the braces, in source order
 * @param offset the {@code offset} duration, or {@code null}
 * @param at the {@code @} modifier, or {@code null}
 * @param smoothing {@code anchored}, {@code smoothed} or neither
 */
public record VectorSelector(
    String name,
    List<LabelMatcher> matchers,
    DurationExpr offset,
    AtModifier at,
    RangeSmoothing smoothing)
    implements Expr {

  /**
   * Checks the node and copies {@code matchers}.
   *
   * @param name the metric name written outside the braces, or {@code null}
   * @param matchers the matchers written inside the braces
   * @param offset the {@code offset}, or {@code null}
   * @param at the {@code @} modifier, or {@code null}
   * @param smoothing the range modifier, {@link RangeSmoothing#NONE} for none
   * @throws NullPointerException if {@code matchers} or {@code smoothing} is null
   */
  public VectorSelector {
    matchers = List.copyOf(requireNonNull(matchers, "matchers is null"));
    requireNonNull(smoothing, "smoothing is null");
  }

  /**
   * A selector with a name and matchers and no modifiers.
   *
   * @param name the metric name, or {@code null}
   * @param matchers the matchers inside the braces
   */
  public VectorSelector(String name, List<LabelMatcher> matchers) {
    this(name, matchers, null, null, RangeSmoothing.NONE);
  }

  /**
   * The metric name written outside the braces. A {@code __name__} matcher inside them is not
   * looked at.
   *
   * @return the name, or empty
   */
  public Optional<String> metricName() {
    return Optional.ofNullable(name);
  }

  /**
   * All matchers a Prometheus server applies: the {@code __name__} equality matcher implied by
   * {@code name} (first), then the written ones.
   *
   * @return the matchers, immutable
   */
  public List<LabelMatcher> allMatchers() {
    if (name == null) {
      return matchers;
    }
    List<LabelMatcher> all = new ArrayList<>(matchers.size() + 1);
    all.add(LabelMatcher.equal(LabelMatcher.METRIC_NAME, name));
    all.addAll(matchers);
    return List.copyOf(all);
  }

  /**
   * This selector with other matchers inside the braces.
   *
   * @param newMatchers the matchers
   * @return a copy with {@code newMatchers}
   */
  public VectorSelector withMatchers(List<LabelMatcher> newMatchers) {
    return new VectorSelector(name, newMatchers, offset, at, smoothing);
  }

  /**
   * This selector with another metric name outside the braces.
   *
   * @param newName the name, or {@code null} for none
   * @return a copy with {@code newName}
   */
  public VectorSelector withName(String newName) {
    return new VectorSelector(newName, matchers, offset, at, smoothing);
  }

  /**
   * This selector with another {@code offset}.
   *
   * @param newOffset the offset, or {@code null} for none
   * @return a copy with {@code newOffset}
   */
  public VectorSelector withOffset(DurationExpr newOffset) {
    return new VectorSelector(name, matchers, newOffset, at, smoothing);
  }

  /**
   * This selector with another {@code @} modifier.
   *
   * @param newAt the modifier, or {@code null} for none
   * @return a copy with {@code newAt}
   */
  public VectorSelector withAt(AtModifier newAt) {
    return new VectorSelector(name, matchers, offset, newAt, smoothing);
  }

  @Override
  public ValueType type() {
    return ValueType.INSTANT_VECTOR;
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.visitVectorSelector(this);
  }
}
