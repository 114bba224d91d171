package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * How a binary operator between two instant vectors matches series: {@code on (labels)} or
 * {@code ignoring (labels)}, {@code group_left (include)} / {@code group_right (include)}, and
 * the experimental {@code fill} modifiers.
 *
 * <p>{@link #DEFAULT} is what nothing written means; {@code ignoring ()} without a group modifier
 * equals it, as Prometheus prints both the same.
 *
 * @param on {@code true} for {@code on (...)}, {@code false} for {@code ignoring (...)} or nothing
 * @param labels the labels of {@code on} / {@code ignoring}
 * @param cardinality one-to-one, or many-to-one for {@code group_left}, one-to-many for {@code
 *     group_right}
 * @param include the labels listed after {@code group_left} / {@code group_right}
 * @param fill the {@code fill} modifiers, or {@code null}
 */
public record VectorMatching(
    boolean on,
    List<String> labels,
    Cardinality cardinality,
    List<String> include,
    FillModifier fill) {

  public static final VectorMatching DEFAULT =
      new VectorMatching(false, List.of(), Cardinality.ONE_TO_ONE, List.of(), null);

  /** The cardinality a group modifier selects. */
  public enum Cardinality {
    ONE_TO_ONE,
    /** {@code group_left}. */
    MANY_TO_ONE,
    /** {@code group_right}. */
    ONE_TO_MANY
  }

  public VectorMatching {
    labels = List.copyOf(requireNonNull(labels, "labels is null"));
    requireNonNull(cardinality, "cardinality is null");
    include = List.copyOf(requireNonNull(include, "include is null"));
    if (cardinality == Cardinality.ONE_TO_ONE && !include.isEmpty()) {
      throw new IllegalArgumentException("include labels need group_left or group_right");
    }
  }

  public static VectorMatching on(List<String> labels) {
    return new VectorMatching(true, labels, Cardinality.ONE_TO_ONE, List.of(), null);
  }

  public static VectorMatching ignoring(List<String> labels) {
    return new VectorMatching(false, labels, Cardinality.ONE_TO_ONE, List.of(), null);
  }

  public VectorMatching withGroup(Cardinality newCardinality, List<String> newInclude) {
    return new VectorMatching(on, labels, newCardinality, newInclude, fill);
  }

  public VectorMatching withFill(FillModifier newFill) {
    return new VectorMatching(on, labels, cardinality, include, newFill);
  }

  public VectorMatching withLabels(List<String> newLabels) {
    return new VectorMatching(on, newLabels, cardinality, include, fill);
  }
}
