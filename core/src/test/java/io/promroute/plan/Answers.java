package io.promroute.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.api.QueryResult;
import io.promroute.promql.PromQL;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hand-written shard answers for a plan: {@code put(shardQuery, shard, time, "{job=\"a\"} 3",
 * ...)}; anything not put is an empty answer. A hand-written fake, no mocks.
 */
final class Answers {

  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

  private final QueryPlan plan;
  // query -> shard -> labels -> points
  private final Map<String, Map<String, Map<List<String>, List<QueryResult.Point>>>> answers =
      new HashMap<>();
  private boolean range;

  Answers(QueryPlan plan) {
    this.plan = plan;
  }

  Answers put(String query, String shard, long time, String... samples) {
    assertThat(plan.shardQueries()).as("shard queries of %s", plan).contains(query);
    assertThat(plan.shards()).contains(shard);
    Map<List<String>, List<QueryResult.Point>> series =
        answers
            .computeIfAbsent(query, unused -> new HashMap<>())
            .computeIfAbsent(shard, unused -> new java.util.LinkedHashMap<>());
    for (String sample : samples) {
      int space = sample.lastIndexOf(' ');
      List<String> labels = labels(sample.substring(0, space));
      double value = parse(sample.substring(space + 1));
      series
          .computeIfAbsent(labels, unused -> new ArrayList<>())
          .add(new QueryResult.Point(time, value));
    }
    return this;
  }

  Answers range() {
    this.range = true;
    return this;
  }

  private static double parse(String text) {
    try {
      return QueryResult.parseValue(text);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static List<String> labels(String braces) {
    List<String[]> pairs = new ArrayList<>();
    Matcher matcher = LABEL.matcher(braces);
    while (matcher.find()) {
      pairs.add(new String[] {matcher.group(1), matcher.group(2)});
    }
    pairs.sort((a, b) -> a[0].compareTo(b[0]));
    List<String> flat = new ArrayList<>();
    for (String[] pair : pairs) {
      flat.add(pair[0]);
      flat.add(pair[1]);
    }
    return flat;
  }

  /**
   * The answers to {@code requests} (a plan's instant or range requests): a long subquery grid is
   * asked for in chunks, and every chunk of one shard query gets that query's answers.
   */
  List<List<QueryResult>> build(List<QueryPlan.ShardRequest> requests) {
    Map<String, List<QueryResult>> byQuery = new HashMap<>();
    List<List<QueryResult>> perQuery = build();
    for (int q = 0; q < plan.shardQueries().size(); q++) {
      byQuery.put(plan.shardQueries().get(q), perQuery.get(q));
    }
    List<List<QueryResult>> all = new ArrayList<>();
    for (QueryPlan.ShardRequest request : requests) {
      all.add(byQuery.get(request.query()));
    }
    return all;
  }

  List<List<QueryResult>> build() {
    List<List<QueryResult>> all = new ArrayList<>();
    for (String query : plan.shardQueries()) {
      List<QueryResult> perShard = new ArrayList<>();
      for (String shard : plan.shards()) {
        Map<List<String>, List<QueryResult.Point>> series =
            answers.getOrDefault(query, Map.of()).getOrDefault(shard, Map.of());
        List<QueryResult.Series> list = new ArrayList<>();
        series.forEach((labels, points) -> list.add(new QueryResult.Series(labels, points)));
        perShard.add(
            new QueryResult(
                range ? QueryResult.Type.MATRIX : QueryResult.Type.VECTOR, list, List.of()));
      }
      all.add(perShard);
    }
    return all;
  }

  /**
   * A result as lines {@code {labels} value} (vector, scalar) or {@code {labels} t:v t:v} (matrix).
   */
  static List<String> lines(QueryResult result) {
    List<String> lines = new ArrayList<>();
    for (QueryResult.Series series : result.series()) {
      StringBuilder line = new StringBuilder(Labels.of(series.labels()).toString());
      for (QueryResult.Point point : series.points()) {
        line.append(' ');
        if (result.type() == QueryResult.Type.MATRIX) {
          line.append(point.timestampMillis() / 1000).append(':');
        }
        line.append(PromQL.formatSampleValue(point.value()));
      }
      lines.add(line.toString());
    }
    return lines;
  }
}
