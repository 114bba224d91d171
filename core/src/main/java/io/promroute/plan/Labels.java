package io.promroute.plan;

import io.promroute.compat.GoStrings;
import io.promroute.compat.LabelSets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * An immutable label set, sorted by name, compared as Prometheus's {@code labels.Compare} (Go
 * string order, which is Unicode code point order, pair by pair, then by length).
 */
final class Labels implements Comparable<Labels> {

  static final String METRIC_NAME = "__name__";
  static final Labels EMPTY = new Labels(new String[0]);

  // [name, value, name, value, ...], names ascending and distinct, no empty values.
  private final String[] pairs;

  private Labels(String[] pairs) {
    this.pairs = pairs;
  }

  /** From sorted {@code [name, value, ...]} pairs; pairs with an empty value are dropped. */
  static Labels of(List<String> sortedPairs) {
    List<String> kept = new ArrayList<>(sortedPairs.size());
    for (int i = 0; i < sortedPairs.size(); i += 2) {
      if (!sortedPairs.get(i + 1).isEmpty()) {
        kept.add(sortedPairs.get(i));
        kept.add(sortedPairs.get(i + 1));
      }
    }
    return new Labels(kept.toArray(new String[0]));
  }

  /** From unsorted {@code name, value, ...} arguments, for tests. */
  static Labels of(String... namesAndValues) {
    Labels labels = EMPTY;
    for (int i = 0; i < namesAndValues.length; i += 2) {
      labels = labels.with(namesAndValues[i], namesAndValues[i + 1]);
    }
    return labels;
  }

  List<String> toList() {
    return List.of(pairs);
  }

  int size() {
    return pairs.length / 2;
  }

  /** The value of a label, or {@code ""} when absent (as Prometheus's {@code Get}). */
  String get(String name) {
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i].equals(name)) {
        return pairs[i + 1];
      }
    }
    return "";
  }

  /** Sets a label; an empty value deletes it. */
  Labels with(String name, String value) {
    List<String> list = new ArrayList<>(pairs.length + 2);
    boolean placed = false;
    for (int i = 0; i < pairs.length; i += 2) {
      int c = compareStrings(pairs[i], name);
      if (c == 0) {
        placed = true;
        if (!value.isEmpty()) {
          list.add(name);
          list.add(value);
        }
        continue;
      }
      if (c > 0 && !placed) {
        placed = true;
        if (!value.isEmpty()) {
          list.add(name);
          list.add(value);
        }
      }
      list.add(pairs[i]);
      list.add(pairs[i + 1]);
    }
    if (!placed && !value.isEmpty()) {
      list.add(name);
      list.add(value);
    }
    return new Labels(list.toArray(new String[0]));
  }

  Labels without(Collection<String> names) {
    List<String> list = new ArrayList<>(pairs.length);
    for (int i = 0; i < pairs.length; i += 2) {
      if (!names.contains(pairs[i])) {
        list.add(pairs[i]);
        list.add(pairs[i + 1]);
      }
    }
    return list.size() == pairs.length ? this : new Labels(list.toArray(new String[0]));
  }

  Labels keep(Collection<String> names) {
    List<String> list = new ArrayList<>(pairs.length);
    for (int i = 0; i < pairs.length; i += 2) {
      if (names.contains(pairs[i])) {
        list.add(pairs[i]);
        list.add(pairs[i + 1]);
      }
    }
    return list.size() == pairs.length ? this : new Labels(list.toArray(new String[0]));
  }

  Labels withoutMetricName() {
    return without(List.of(METRIC_NAME));
  }

  /**
   * The labels a vector match compares: with {@code on}, only the listed ones; with {@code
   * ignoring}, all but the listed ones and the metric name (Prometheus's {@code MatchLabels}).
   */
  Labels matchLabels(boolean on, List<String> names) {
    if (on) {
      return keep(names);
    }
    List<String> dropped = new ArrayList<>(names);
    dropped.add(METRIC_NAME);
    return without(dropped);
  }

  @Override
  public int compareTo(Labels other) {
    int common = Math.min(pairs.length, other.pairs.length);
    for (int i = 0; i < common; i++) {
      int c = compareStrings(pairs[i], other.pairs[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(pairs.length, other.pairs.length);
  }

  /** Go's string order: UTF-8 bytes, i.e. code points (not Java's UTF-16 units). */
  static int compareStrings(String a, String b) {
    return GoStrings.compare(a, b);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Labels labels && Arrays.equals(pairs, labels.pairs);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(pairs);
  }

  /** Prometheus's {@code Labels.String()}: {@code {a="1", b="x\"y"}}, values Go-quoted. */
  @Override
  public String toString() {
    return LabelSets.print(toList());
  }
}
