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

  public VectorSelector {
    matchers = List.copyOf(requireNonNull(matchers, "matchers is null"));
    requireNonNull(smoothing, "smoothing is null");
  }

  /** A selector with a name and matchers and no modifiers. */
  public VectorSelector(String name, List<LabelMatcher> matchers) {
    this(name, matchers, null, null, RangeSmoothing.NONE);
  }

  public Optional<String> metricName() {
    return Optional.ofNullable(name);
  }

  /**
   * All matchers a Prometheus server applies: the {@code __name__} equality matcher implied by
   * {@code name} (first), then the written ones.
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

  public VectorSelector withMatchers(List<LabelMatcher> newMatchers) {
    return new VectorSelector(name, newMatchers, offset, at, smoothing);
  }

  public VectorSelector withName(String newName) {
    return new VectorSelector(newName, matchers, offset, at, smoothing);
  }

  public VectorSelector withOffset(DurationExpr newOffset) {
    return new VectorSelector(name, matchers, newOffset, at, smoothing);
  }

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
