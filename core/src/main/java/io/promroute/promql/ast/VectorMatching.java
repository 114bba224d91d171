package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * How a binary operator between two instant vectors matches series: {@code on (labels)} or {@code
 * ignoring (labels)}, {@code group_left (include)} / {@code group_right (include)}, and the
 * experimental {@code fill} modifiers.
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

  /**
   * No matching modifier: match on all labels but the metric name, one-to-one (many-to-many for
   * {@code and}, {@code or}, {@code unless}).
   */
  public static final VectorMatching DEFAULT =
      new VectorMatching(false, List.of(), Cardinality.ONE_TO_ONE, List.of(), null);

  /** The cardinality a group modifier selects. */
  public enum Cardinality {
    /** No group modifier: each series matches at most one on the other side. */
    ONE_TO_ONE,
    /** {@code group_left}. */
    MANY_TO_ONE,
    /** {@code group_right}. */
    ONE_TO_MANY
  }

  /**
   * Checks the modifiers and copies the lists.
   *
   * @param on {@code true} for {@code on (...)}
   * @param labels the labels of {@code on} / {@code ignoring}
   * @param cardinality the cardinality a group modifier selects
   * @param include the labels listed after the group modifier
   * @param fill the {@code fill} modifiers, or {@code null}
   * @throws NullPointerException if {@code labels}, {@code cardinality} or {@code include} is null
   * @throws IllegalArgumentException if {@code include} is not empty without a group modifier
   */
  public VectorMatching {
    labels = List.copyOf(requireNonNull(labels, "labels is null"));
    requireNonNull(cardinality, "cardinality is null");
    include = List.copyOf(requireNonNull(include, "include is null"));
    if (cardinality == Cardinality.ONE_TO_ONE && !include.isEmpty()) {
      throw new IllegalArgumentException("include labels need group_left or group_right");
    }
  }

  /**
   * {@code on (labels)}: match on these labels only.
   *
   * @param labels the labels
   * @return the matching, one-to-one
   */
  public static VectorMatching on(List<String> labels) {
    return new VectorMatching(true, labels, Cardinality.ONE_TO_ONE, List.of(), null);
  }

  /**
   * {@code ignoring (labels)}: match on all labels but these (and the metric name).
   *
   * @param labels the labels
   * @return the matching, one-to-one
   */
  public static VectorMatching ignoring(List<String> labels) {
    return new VectorMatching(false, labels, Cardinality.ONE_TO_ONE, List.of(), null);
  }

  /**
   * This matching with another group modifier.
   *
   * @param newCardinality {@link Cardinality#MANY_TO_ONE} for {@code group_left}, {@link
   *     Cardinality#ONE_TO_MANY} for {@code group_right}, or one-to-one for none
   * @param newInclude the labels listed after the group modifier, copied from the "one" side
   * @return a copy with the new group modifier
   * @throws IllegalArgumentException if {@code newInclude} is not empty for one-to-one
   */
  public VectorMatching withGroup(Cardinality newCardinality, List<String> newInclude) {
    return new VectorMatching(on, labels, newCardinality, newInclude, fill);
  }

  /**
   * This matching with other {@code fill} modifiers.
   *
   * @param newFill the modifiers, or {@code null} for none
   * @return a copy with {@code newFill}
   */
  public VectorMatching withFill(FillModifier newFill) {
    return new VectorMatching(on, labels, cardinality, include, newFill);
  }

  /**
   * This matching on (or ignoring) other labels.
   *
   * @param newLabels the labels of {@code on} / {@code ignoring}
   * @return a copy with {@code newLabels}
   */
  public VectorMatching withLabels(List<String> newLabels) {
    return new VectorMatching(on, newLabels, cardinality, include, fill);
  }
}
