package io.promroute.shard;

import io.promroute.compat.GoStrings;
import io.promroute.compat.LabelSets;
import io.promroute.promql.PromQL;
import io.promroute.promql.PromQLParseException;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.MatchOp;
import io.promroute.promql.ast.VectorMatching;
import io.promroute.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * A shard's evaluation error reworded as the global view words it. Prometheus prints label sets in
 * one of its evaluation errors (2.42's {@code VectorBinop}: "found duplicate series for the match
 * group {@code <group>} on the {@code <side>} hand-side of the operation: [{@code <series>}, {@code
 * <series>}];many-to-many ..."): in strip mode the shard's series lack the shard label that the
 * global view's series carry, so it is put back where the global evaluation has it. The others
 * ("multiple matches for labels ...", "vector cannot contain metrics with the same labelset") print
 * no labels and need nothing.
 */
final class EvaluationErrors {

  private static final String DUPLICATE = "found duplicate series for the match group ";
  private static final String SIDE = " on the ";
  private static final String SERIES = " hand-side of the operation: [";
  private static final String BETWEEN = ", ";
  private static final String END =
      "];many-to-many matching not allowed: matching labels must be unique on one side";

  private EvaluationErrors() {}

  /**
   * {@code message} with {@code label="<shard>"} put into the label sets it prints where the global
   * evaluation's series carry it; unchanged when it prints none, or when the operators the shard
   * evaluated ({@code matchings}) that can have raised it disagree about where the label belongs.
   *
   * @param message the shard's error message
   * @param label the shard label
   * @param shard the shard's key, its value
   * @param matchings the vector matchings the shard evaluated, see {@link
   *     ShardQueryAnalyzer#matchings()}
   */
  static String inGlobalView(
      String message,
      String label,
      String shard,
      List<ShardQueryAnalyzer.ShardMatching> matchings) {
    Duplicate duplicate = Duplicate.parse(message);
    if (duplicate == null) {
      return message;
    }
    String reworded = null;
    for (ShardQueryAnalyzer.ShardMatching candidate : matchings) {
      VectorMatching matching = candidate.matching();
      // group_right keeps the right side's labels and looks for duplicates on the left.
      boolean left = matching.cardinality() == VectorMatching.Cardinality.ONE_TO_MANY;
      if (left != duplicate.left() || !couldPrint(matching, duplicate.group())) {
        continue;
      }
      ShardQueryAnalyzer.Presence side = left ? candidate.lhs() : candidate.rhs();
      String wording =
          switch (side) {
            case NO_SERIES -> message; // the series lack it there too (or the shard saw it)
            case EVERY_SERIES -> {
              // The match group is MatchLabels of a series: on (L) keeps L, ignoring (L) drops L.
              boolean inGroup = matching.on() == matching.labels().contains(label);
              yield duplicate.print(
                  inGroup ? with(duplicate.group(), label, shard) : duplicate.group(),
                  with(duplicate.first(), label, shard),
                  with(duplicate.second(), label, shard));
            }
            case SOME_SERIES -> null; // which series carry it is not known here
          };
      if (wording == null) {
        return message;
      }
      if (reworded != null && !reworded.equals(wording)) {
        return message;
      }
      reworded = wording;
    }
    return reworded == null ? message : reworded;
  }

  /**
   * Whether {@code matching} can print {@code group} as a match group: with {@code on (L)} its
   * labels are among L, with {@code ignoring (L)} none is in L or the metric name.
   */
  private static boolean couldPrint(VectorMatching matching, List<String> group) {
    for (int i = 0; i < group.size(); i += 2) {
      String name = group.get(i);
      boolean listed = matching.labels().contains(name);
      if (matching.on() ? !listed : listed || name.equals(LabelMatcher.METRIC_NAME)) {
        return false;
      }
    }
    return true;
  }

  /** {@code pairs} (sorted by name) with {@code name="value"} in its place, unless it has one. */
  private static List<String> with(List<String> pairs, String name, String value) {
    List<String> out = new ArrayList<>(pairs.size() + 2);
    boolean placed = false;
    for (int i = 0; i < pairs.size(); i += 2) {
      int order = GoStrings.compare(pairs.get(i), name);
      if (order == 0) {
        return pairs;
      }
      if (order > 0 && !placed) {
        out.add(name);
        out.add(value);
        placed = true;
      }
      out.add(pairs.get(i));
      out.add(pairs.get(i + 1));
    }
    if (!placed) {
      out.add(name);
      out.add(value);
    }
    return out;
  }

  /**
   * The parts of a "found duplicate series" message: its three label sets as sorted {@code [name,
   * value, ...]} lists, and which side it names.
   */
  private record Duplicate(
      List<String> group, boolean left, List<String> first, List<String> second) {

    static Duplicate parse(String message) {
      if (!message.startsWith(DUPLICATE) || !message.endsWith(END)) {
        return null;
      }
      int groupEnd = endOfSet(message, DUPLICATE.length());
      if (groupEnd < 0 || !message.startsWith(SIDE, groupEnd)) {
        return null;
      }
      int sideStart = groupEnd + SIDE.length();
      boolean left;
      int sideEnd;
      if (message.startsWith("left", sideStart)) {
        left = true;
        sideEnd = sideStart + "left".length();
      } else if (message.startsWith("right", sideStart)) {
        left = false;
        sideEnd = sideStart + "right".length();
      } else {
        return null;
      }
      if (!message.startsWith(SERIES, sideEnd)) {
        return null;
      }
      int firstStart = sideEnd + SERIES.length();
      int firstEnd = endOfSet(message, firstStart);
      if (firstEnd < 0 || !message.startsWith(BETWEEN, firstEnd)) {
        return null;
      }
      int secondStart = firstEnd + BETWEEN.length();
      int secondEnd = endOfSet(message, secondStart);
      if (secondEnd != message.length() - END.length()) {
        return null;
      }
      List<String> group = labels(message.substring(DUPLICATE.length(), groupEnd));
      List<String> first = labels(message.substring(firstStart, firstEnd));
      List<String> second = labels(message.substring(secondStart, secondEnd));
      return group == null || first == null || second == null
          ? null
          : new Duplicate(group, left, first, second);
    }

    String print(List<String> group, List<String> first, List<String> second) {
      StringBuilder builder = new StringBuilder(DUPLICATE);
      LabelSets.append(builder, group);
      builder.append(SIDE).append(left ? "left" : "right").append(SERIES);
      LabelSets.append(builder, first);
      builder.append(BETWEEN);
      LabelSets.append(builder, second);
      return builder.append(END).toString();
    }

    /**
     * The index after the label set printed at {@code start} ({@code {...}}, values in double
     * quotes with backslash escapes, names bare or quoted), or -1.
     */
    private static int endOfSet(String text, int start) {
      if (!text.startsWith("{", start)) {
        return -1;
      }
      boolean quoted = false;
      for (int i = start + 1; i < text.length(); i++) {
        char c = text.charAt(i);
        if (quoted) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            quoted = false;
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == '}') {
          return i + 1;
        }
      }
      return -1;
    }

    /**
     * A printed label set as sorted pairs, read by the PromQL parser (a label set prints as a
     * selector of equality matchers, its values as Go-quoted strings the parser unquotes); null
     * when it does not read as one.
     */
    private static List<String> labels(String printed) {
      if (printed.equals("{}")) {
        return List.of();
      }
      VectorSelector selector;
      try {
        selector = PromQL.parseSelector(printed);
      } catch (PromQLParseException e) {
        return null;
      }
      if (selector.name() != null) {
        return null;
      }
      List<LabelMatcher> matchers = new ArrayList<>(selector.matchers());
      matchers.sort((a, b) -> GoStrings.compare(a.name(), b.name()));
      List<String> pairs = new ArrayList<>(2 * matchers.size());
      for (LabelMatcher matcher : matchers) {
        if (matcher.op() != MatchOp.EQUAL) {
          return null;
        }
        pairs.add(matcher.name());
        pairs.add(matcher.value());
      }
      return pairs;
    }
  }
}
