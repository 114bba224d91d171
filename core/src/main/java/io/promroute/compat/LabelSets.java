package io.promroute.compat;

import java.util.List;

/**
 * A label set printed as Prometheus's {@code labels.Labels.String()} prints it, {@code {a="1",
 * b="x\"y"}}: the pairs in the set's order (sorted by name), values Go-quoted, names bare (2.x
 * knows no others; 3.x quotes a name that is not {@link LabelNames#isLegacy legacy}).
 */
public final class LabelSets {

  private LabelSets() {}

  /**
   * Appends a label set as Prometheus prints it.
   *
   * @param builder where to append
   * @param pairs {@code [name, value, name, value, ...]}, sorted by name
   */
  public static void append(StringBuilder builder, List<String> pairs) {
    builder.append('{');
    for (int i = 0; i < pairs.size(); i += 2) {
      if (i > 0) {
        builder.append(", ");
      }
      LabelNames.append(builder, pairs.get(i));
      builder.append('=');
      GoQuote.appendQuoted(builder, pairs.get(i + 1));
    }
    builder.append('}');
  }

  /**
   * A label set as Prometheus prints it.
   *
   * @param pairs {@code [name, value, name, value, ...]}, sorted by name
   * @return the printed set
   */
  public static String print(List<String> pairs) {
    StringBuilder builder = new StringBuilder();
    append(builder, pairs);
    return builder.toString();
  }
}
