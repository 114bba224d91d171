package io.promroute.servlet.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates random, mostly well-typed PromQL over {@link FixtureData}'s metrics and labels, from a
 * seed: the same seed gives the same queries, so a failure names a query that can be replayed.
 *
 * <p>By default every selector of one query carries the same shard matcher (or none), as Grafana's
 * {@code cluster=~"$cluster"} does. {@linkplain #perSelector() Per selector}, each selector gets
 * its own: none, one naming other, overlapping or disjoint shards, an unknown one, or two that
 * contradict each other.
 *
 * <p>Besides dashboard-like queries it writes what a fuzzer would: subqueries nested in subqueries
 * with offsets and {@code @} (also {@code start()} and {@code end()}), aggregations with their
 * grouping after the argument, two selectors of one metric over different shards matched on or
 * ignoring the shard label, {@code label_join} of the shard label, {@code count_values} and {@code
 * sort} over merged values, and more of the math, trigonometric and date functions.
 */
final class RandomQueries {

  /** Shard matchers a query's selectors may carry; {@code ""} is none (every shard). */
  static final List<String> SHARD_MATCHERS =
      List.of(
          "",
          "",
          "cluster=\"a\"",
          "cluster=\"b\"",
          "cluster=\"c\"",
          "cluster!=\"a\"",
          "cluster=~\"a|b\"",
          "cluster=~\"b|c|z\"",
          "cluster=~\".*\"",
          "cluster=~\".+\"",
          "cluster!~\"b\"",
          "cluster!~\"a|c\"",
          "cluster=~\"[ab]\"",
          "cluster=\"z\"",
          "cluster=~\"z.*\"");

  /**
   * What a selector may carry when each picks its own: {@link #SHARD_MATCHERS} and pairs of them.
   */
  static final List<String> SELECTOR_SHARD_MATCHERS =
      concat(
          SHARD_MATCHERS,
          List.of(
              "",
              "",
              "cluster=\"b\", cluster=\"c\"",
              "cluster=~\"a|b\", cluster!=\"a\"",
              "cluster=\"zzz\"",
              "cluster!~\"a|b|c\""));

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return List.copyOf(all);
  }

  private record Metric(String name, List<String> labels, List<String> extraMatchers) {}

  private static final List<Metric> METRICS =
      List.of(
          new Metric(
              "http_requests_total",
              List.of("code", "instance", "job", "method"),
              List.of(
                  "code=\"500\"",
                  "method!=\"GET\"",
                  "job=\"api\"",
                  "job=~\"w.*\"",
                  "instance=~\"10.0.2.*\"")),
          new Metric(
              "memory_usage_bytes",
              List.of("instance", "job"),
              List.of("job=\"web\"", "instance!~\"10.0.1.*\"", "job=~\"api|web\"")),
          new Metric(
              "up", List.of("instance", "job"), List.of("job=\"api\"", "instance=~\".*:9100\"")),
          new Metric(
              "queue_depth",
              List.of("job", "queue"),
              List.of("queue=\"priority\"", "queue=\"default\"")),
          new Metric(
              "batch_last_success_timestamp_seconds", List.of("job"), List.of("job=\"batch\"")),
          new Metric(
              "http_request_duration_seconds_bucket",
              List.of("instance", "job", "le"),
              List.of("le=\"+Inf\"", "le=~\"0.1|1.0\"", "job=\"web\"")),
          new Metric(
              "http_request_duration_seconds_count",
              List.of("instance", "job"),
              List.of("job=\"api\"")),
          new Metric(
              "http_request_duration_seconds_sum",
              List.of("instance", "job"),
              List.of("job=\"web\"")),
          new Metric("nonexistent_metric", List.of("job"), List.of("job=\"x\"")));

  private static final List<String> GROUPING_LABELS =
      List.of("job", "instance", "code", "method", "le", "queue");

  private static final List<String> RANGE_FUNCTIONS =
      List.of(
          "rate",
          "irate",
          "increase",
          "delta",
          "idelta",
          "deriv",
          "changes",
          "resets",
          "avg_over_time",
          "min_over_time",
          "max_over_time",
          "sum_over_time",
          "count_over_time",
          "last_over_time",
          "stddev_over_time",
          "stdvar_over_time",
          "present_over_time");

  private static final List<String> SIMPLE_AGGREGATIONS =
      List.of("sum", "avg", "min", "max", "count", "stddev", "stdvar", "group");

  private static final List<String> INSTANT_FUNCTIONS =
      List.of("abs", "ceil", "floor", "sgn", "sqrt", "exp", "ln", "timestamp");

  private static final List<String> MORE_INSTANT_FUNCTIONS =
      List.of(
          "log2",
          "log10",
          "sin",
          "cos",
          "atan",
          "tanh",
          "asinh",
          "deg",
          "rad",
          "minute",
          "days_in_month");

  private static final List<String> BINARY_ARITHMETIC = List.of("+", "-", "*", "/", "%", "^");
  private static final List<String> COMPARISONS = List.of("==", "!=", ">", "<", ">=", "<=");
  private static final List<String> RANGES = List.of("1m", "2m", "5m", "10m");
  private static final List<String> OFFSETS = List.of("30s", "5m", "1h", "-5m");

  private final Random random;
  private final long time;
  private String shardMatcher = "";
  private boolean perSelector;

  /**
   * @param seed the seed
   * @param time the instant query's time, for {@code @} modifiers inside the data
   */
  RandomQueries(long seed, long time) {
    this.random = new Random(seed);
    this.time = time;
  }

  /** From now on each selector picks its own shard matcher (else one per query). */
  RandomQueries perSelector() {
    perSelector = true;
    return this;
  }

  /**
   * A query returning an instant vector (or, rarely, a scalar), with one shard matcher throughout.
   */
  String next() {
    shardMatcher = pick(SHARD_MATCHERS);
    if (random.nextInt(12) == 0) {
      return scalar(2);
    }
    if (random.nextInt(15) == 0) {
      // A range vector: valid as an instant query only (a range query must be refused alike).
      return random.nextBoolean()
          ? selector(pick(METRICS)) + "[" + pick(RANGES) + "]" + modifiers()
          : subqueryOf(
              vector(random.nextInt(3)),
              pick(List.of("5m", "10m")) + ":" + pick(List.of("1m", "2m", "")),
              pick(List.of("", " offset 1m", " @ end()")));
    }
    return vector(random.nextInt(7));
  }

  /** One to two {@code match[]} selectors for the metadata endpoints. */
  List<String> nextMatchers() {
    List<String> matchers = new ArrayList<>();
    int count = 1 + random.nextInt(2);
    for (int i = 0; i < count; i++) {
      shardMatcher = pick(SHARD_MATCHERS);
      if (random.nextInt(6) == 0) {
        // No metric name: a label matcher alone, which must not match the empty string.
        matchers.add(
            shardMatcher.isEmpty() || random.nextBoolean()
                ? "{job=~\""
                    + pick(List.of("api", "batch", "worker", "w.*"))
                    + "\""
                    + (shardMatcher.isEmpty() ? "" : ", " + shardMatcher)
                    + "}"
                : "{" + shardMatcher + "}");
      } else {
        matchers.add(selector(pick(METRICS)));
      }
    }
    return matchers;
  }

  String vector(int depth) {
    if (depth <= 0) {
      return switch (random.nextInt(4)) {
        case 0, 1 -> selectorWithModifiers(pick(METRICS));
        default -> rangeFunction(pick(METRICS));
      };
    }
    int d = depth - 1;
    return switch (random.nextInt(42)) {
      case 30 -> pick(MORE_INSTANT_FUNCTIONS) + "(" + vector(d) + ")";
      case 31 ->
          "clamp("
              + vector(d)
              + ", "
              + pick(List.of("0", "-1", "2", "NaN"))
              + ", "
              + pick(List.of("1", "100", "-Inf", "1e9"))
              + ")";
      case 32 -> nestedSubquery(d);
      case 33 ->
          "absent_over_time("
              + subqueryOf(
                  vector(d),
                  pick(List.of("5m", "10m")) + ":" + pick(List.of("1m", "")),
                  subqueryModifiers())
              + ")";
      case 34 -> trailingAggregation(d);
      case 35 -> binaryOfShards(d);
      case 36 -> "+(" + vector(d) + ")";
      case 37 ->
          pick(List.of("sort", "sort_desc"))
              + "("
              + pick(SIMPLE_AGGREGATIONS)
              + grouping()
              + "("
              + vector(d)
              + "))";
      case 38 ->
          "label_join("
              + vector(d)
              + ", \""
              + pick(List.of("cluster", "joined", "job"))
              + "\", \""
              + pick(List.of(",", ""))
              + "\", "
              + String.join(
                  ", ",
                  pick(
                      List.of(
                          List.of("\"cluster\"", "\"job\""),
                          List.of("\"job\"", "\"cluster\"", "\"instance\""),
                          List.of("\"cluster\", \"cluster\""))))
              + ")";
      case 39 -> "scalar(" + vector(d) + ") " + pick(COMPARISONS) + " bool " + scalar(0);
      case 40 ->
          "count_values"
              + pick(List.of("", " by (cluster) ", " without (instance) "))
              + "(\"v\", "
              + pick(List.of("round(", "floor(", "sgn("))
              + vector(d)
              + "))";
      case 41 ->
          pick(List.of("timestamp", "day_of_week", "hour"))
              + "("
              + selector(pick(METRICS))
              + " @ "
              + pick(List.of("start()", "end()", Long.toString(time - 300)))
              + pick(List.of("", " offset 5m", " offset -2m"))
              + ")";
      case 22 -> joinOfAggregations(d);
      case 23 ->
          "("
              + vector(d)
              + ") or "
              + pick(List.of("vector(0)", "on () vector(1)", "(" + vector(d) + ")"));
      case 24 ->
          "("
              + vector(d)
              + ") "
              + pick(BINARY_ARITHMETIC)
              + " scalar("
              + aggregationOf(selector(pick(METRICS)))
              + ")";
      case 25 ->
          pick(List.of("topk", "bottomk"))
              + grouping()
              + "(scalar(count("
              + selector(pick(METRICS))
              + ")) - 10, "
              + vector(d)
              + ")";
      case 26 ->
          "quantile"
              + grouping()
              + "(scalar("
              + pick(List.of("min", "max"))
              + "("
              + selector(pick(METRICS))
              + ") > bool 0) / 2, "
              + vector(d)
              + ")";
      case 27 -> {
        String matrix =
            random.nextBoolean()
                ? "(" + vector(d) + ")[10m:1m]"
                : selector(pick(METRICS)) + "[10m]" + modifiers();
        yield switch (random.nextInt(3)) {
          case 0 -> "predict_linear(" + matrix + ", " + parameter("600", " * 60") + ")";
          case 1 -> "holt_winters(" + matrix + ", " + parameter("0.5", " / 10 + 0.05") + ", 0.5)";
          default -> "quantile_over_time(" + parameter("0.5", " / 10") + ", " + matrix + ")";
        };
      }
      case 28 ->
          pick(
                  List.of(
                      "hour",
                      "minute",
                      "day_of_month",
                      "days_in_month",
                      "month",
                      "year",
                      "day_of_week"))
              + "("
              + pick(List.of("timestamp(" + vector(d) + ")", vector(d)))
              + ")";
      case 29 -> "time() - timestamp(" + vector(d) + ")";
      case 0, 1, 2 -> aggregation(d);
      case 3 -> "topk" + grouping() + "(" + (1 + random.nextInt(3)) + ", " + vector(d) + ")";
      case 4 -> "bottomk" + grouping() + "(" + (1 + random.nextInt(3)) + ", " + vector(d) + ")";
      case 5 ->
          "quantile"
              + grouping()
              + "("
              + pick(List.of("0", "0.5", "0.9", "1"))
              + ", "
              + vector(d)
              + ")";
      case 6 -> countValues(d);
      case 7, 8 -> binary(d);
      case 9 ->
          vector(d) + " " + pick(COMPARISONS) + (random.nextBoolean() ? " bool " : " ") + scalar(0);
      case 10 -> scalar(0) + " " + pick(BINARY_ARITHMETIC) + " " + vector(d);
      case 11 -> pick(INSTANT_FUNCTIONS) + "(" + vector(d) + ")";
      case 12 ->
          pick(List.of("clamp_min", "clamp_max"))
              + "("
              + vector(d)
              + ", "
              + pick(List.of("0", "5", "1e6"))
              + ")";
      case 13 -> labelReplace(d);
      case 14 -> pick(List.of("sort", "sort_desc")) + "(" + vector(d) + ")";
      case 15 -> histogramQuantile();
      case 16 ->
          random.nextBoolean()
              ? "absent(" + vector(d) + ")"
              : "absent_over_time(" + selector(pick(METRICS)) + "[" + pick(RANGES) + "])";
      case 17 -> "vector(" + scalar(d) + ")";
      case 18 -> subquery(d);
      case 19 -> "-(" + vector(d) + ")";
      case 20 -> "round(" + vector(d) + (random.nextBoolean() ? ", 0.5" : "") + ")";
      default -> "(" + vector(d) + ")";
    };
  }

  /**
   * A function's parameter: {@code literal}, or a scalar computed across shards, {@code scale}d: a
   * count that holds still, or a last digit that changes from step to step (NaN where the vector is
   * not one sample, as Prometheus's scalar() gives).
   */
  private String parameter(String literal, String scale) {
    return switch (random.nextInt(3)) {
      case 0 -> "scalar(count(" + selector(pick(METRICS)) + ")) % 10" + scale;
      case 1 -> "scalar(max(" + selector(pick(METRICS)) + ") % 10)" + scale;
      default -> literal;
    };
  }

  String scalar(int depth) {
    if (depth <= 0 || random.nextInt(3) > 0) {
      return switch (random.nextInt(5)) {
        case 0 -> "time()";
        case 1 -> "-1";
        case 2 -> "0.5";
        default -> Integer.toString(random.nextInt(10));
      };
    }
    return switch (random.nextInt(3)) {
      case 0 -> "scalar(" + vector(depth - 1) + ")";
      case 1 -> scalar(depth - 1) + " " + pick(BINARY_ARITHMETIC) + " " + scalar(depth - 1);
      default -> "scalar(" + pick(SIMPLE_AGGREGATIONS) + "(" + selector(pick(METRICS)) + "))";
    };
  }

  /**
   * {@code count_values}, writing its label over the shard label or another one, but never one it
   * also groups by: Prometheus 2.42 appends the label to the grouping of the query's syntax tree at
   * every step of a range query, so such a query loses grouping labels from step to step there (a
   * bug of Prometheus, not a global view to reproduce).
   */
  private String countValues(int depth) {
    String label = pick(List.of("value", "cluster", "job"));
    String grouping = grouping();
    while (grouping.matches(".*[(, ]" + label + "[,)].*")) {
      grouping = grouping();
    }
    return "count_values" + grouping + "(\"" + label + "\", " + vector(depth) + ")";
  }

  /** {@code agg by (L) (A) op on (L) agg by (L) (B)}: two merged sides joined in the router. */
  private String joinOfAggregations(int depth) {
    List<String> labels = labels();
    String by = " by (" + String.join(", ", labels) + ") ";
    String matching = random.nextBoolean() ? " on (" + String.join(", ", labels) + ") " : " ";
    return pick(SIMPLE_AGGREGATIONS)
        + by
        + "("
        + vector(depth)
        + ") "
        + pick(BINARY_ARITHMETIC)
        + matching
        + pick(SIMPLE_AGGREGATIONS)
        + by
        + "("
        + vector(depth)
        + ")";
  }

  private String aggregationOf(String argument) {
    return pick(SIMPLE_AGGREGATIONS) + "(" + argument + ")";
  }

  private String aggregation(int depth) {
    return pick(SIMPLE_AGGREGATIONS) + grouping() + "(" + vector(depth) + ")";
  }

  /** {@code ""}, {@code by (...)} or {@code without (...)}, often naming the shard label. */
  private String grouping() {
    return switch (random.nextInt(5)) {
      case 0 -> "";
      case 1, 2 -> " by (" + String.join(", ", labels()) + ") ";
      default -> " without (" + String.join(", ", labels()) + ") ";
    };
  }

  private List<String> labels() {
    List<String> labels = new ArrayList<>();
    int count = random.nextInt(3);
    for (int i = 0; i < count; i++) {
      String label = pick(GROUPING_LABELS);
      if (!labels.contains(label)) {
        labels.add(label);
      }
    }
    if (random.nextInt(5) < 2) {
      labels.add(random.nextInt(labels.size() + 1), "cluster");
    }
    return labels;
  }

  private String binary(int depth) {
    String left = vector(depth);
    String right = vector(depth);
    String op =
        switch (random.nextInt(6)) {
          case 0 -> pick(COMPARISONS) + (random.nextBoolean() ? " bool" : "");
          case 1 -> pick(List.of("and", "or", "unless"));
          default -> pick(BINARY_ARITHMETIC);
        };
    boolean set = op.equals("and") || op.equals("or") || op.equals("unless");
    String matching =
        switch (random.nextInt(6)) {
          case 0, 1 -> "";
          case 2, 3 -> " on (" + String.join(", ", labels()) + ")";
          default -> " ignoring (" + String.join(", ", labels()) + ")";
        };
    if (!set && !matching.isEmpty() && random.nextInt(3) == 0) {
      matching +=
          " "
              + pick(List.of("group_left", "group_right"))
              + (random.nextBoolean() ? "" : " (" + String.join(", ", labels()) + ")");
    }
    return "(" + left + ") " + op + matching + " (" + right + ")";
  }

  private String labelReplace(int depth) {
    String dst = pick(List.of("cluster", "host", "job", "shard"));
    if (random.nextBoolean()) {
      return "label_replace("
          + vector(depth)
          + ", \""
          + dst
          + "\", \""
          + pick(List.of("$1", "x-$1", "$1$1", "fixed"))
          + "\", \""
          + pick(List.of("cluster", "instance", "job", "nonexistent"))
          + "\", \""
          + pick(List.of("(.*)", "(a|b)", "([^:]*):.*", "(.)"))
          + "\")";
    }
    return "label_join("
        + vector(depth)
        + ", \""
        + dst
        + "\", \""
        + pick(List.of("-", "", "/"))
        + "\", \""
        + pick(List.of("cluster", "job"))
        + "\", \""
        + pick(List.of("instance", "cluster", "nonexistent"))
        + "\")";
  }

  private String histogramQuantile() {
    String phi = pick(List.of("0.5", "0.9", "0.99", "0", "1"));
    String buckets = "rate(" + selector(METRICS.get(5)) + "[" + pick(RANGES) + "])";
    return switch (random.nextInt(4)) {
      case 0 -> "histogram_quantile(" + phi + ", " + buckets + ")";
      case 1 -> "histogram_quantile(" + phi + ", sum by (le) (" + buckets + "))";
      case 2 -> "histogram_quantile(" + phi + ", sum by (le, cluster) (" + buckets + "))";
      default -> "histogram_quantile(" + phi + ", sum without (instance) (" + buckets + "))";
    };
  }

  private String subquery(int depth) {
    String function =
        pick(
            List.of(
                "max_over_time",
                "min_over_time",
                "avg_over_time",
                "sum_over_time",
                "count_over_time",
                "rate",
                "deriv",
                "last_over_time",
                "changes"));
    String step = pick(List.of("1m", "30s", "", "2m"));
    String range = pick(List.of("5m", "10m", "15m"));
    String offset =
        switch (random.nextInt(6)) {
          case 0 -> " offset " + pick(List.of("1m", "5m"));
          case 1 -> " @ " + pick(List.of("start()", "end()", Long.toString(time - 600)));
          default -> "";
        };
    return function + "(" + subqueryOf(vector(depth), range + ":" + step, offset) + ")";
  }

  /**
   * {@code (inner)[range]modifiers}, without the {@code @} of {@code modifiers} when {@code inner}
   * has an {@code @} of its own: Prometheus 2.42 evaluates an {@code @} inside a subquery with
   * {@code @} at a wrong time when the request's time is not the subquery's (its offset arithmetic
   * assumes the outer subquery is evaluated at its {@code @} time, and its storage query then reads
   * no data there): the answer of {@code sum_over_time((max without (job, cluster) (x @
   * t1))[20m:] @ t2)} changes with the request's time and is empty at {@code t1}, a bug of
   * Prometheus, not a global view to reproduce.
   */
  private static String subqueryOf(String inner, String range, String modifiers) {
    String kept = modifiers;
    if (inner.contains("@ ") && modifiers.contains("@")) {
      kept = modifiers.replaceAll(" @ [^ ]+", "");
    }
    return "(" + inner + ")[" + range + "]" + kept;
  }

  /** A subquery with offset and {@code @} around another subquery. */
  private String nestedSubquery(int depth) {
    String inner =
        pick(List.of("max_over_time", "rate", "avg_over_time", "count_over_time", "last_over_time"))
            + "("
            + subqueryOf(
                vector(depth),
                pick(List.of("5m", "10m")) + ":" + pick(List.of("1m", "", "30s")),
                subqueryModifiers())
            + ")";
    return pick(List.of("min_over_time", "sum_over_time", "deriv", "changes", "stddev_over_time"))
        + "("
        + subqueryOf(
            inner,
            pick(List.of("10m", "15m", "20m")) + ":" + pick(List.of("2m", "", "5m")),
            subqueryModifiers())
        + ")";
  }

  private String subqueryModifiers() {
    return switch (random.nextInt(6)) {
      case 0 -> " offset " + pick(List.of("1m", "5m", "-3m"));
      case 1 -> " @ " + pick(List.of("start()", "end()", Long.toString(time - 600)));
      case 2 -> " @ " + pick(List.of("start()", "end()", Long.toString(time + 300))) + " offset 2m";
      default -> "";
    };
  }

  /** An aggregation with its grouping after the argument: {@code sum(x) by (job)}. */
  private String trailingAggregation(int depth) {
    return pick(SIMPLE_AGGREGATIONS)
        + "("
        + vector(depth)
        + ") "
        + pick(List.of("by", "without"))
        + " ("
        + String.join(", ", labels())
        + ")";
  }

  /**
   * Two selectors of one metric over different shards matched on, or ignoring, the shard label: a
   * dashboard that compares clusters.
   */
  private String binaryOfShards(int depth) {
    Metric metric = pick(METRICS.subList(0, 4));
    String left = metric.name() + "{" + pick(SELECTOR_SHARD_MATCHERS.subList(2, 13)) + "}";
    String right = metric.name() + "{" + pick(SELECTOR_SHARD_MATCHERS.subList(2, 13)) + "}";
    if (random.nextBoolean()) {
      left = pick(RANGE_FUNCTIONS.subList(0, 3)) + "(" + left + "[5m])";
      right = pick(RANGE_FUNCTIONS.subList(0, 3)) + "(" + right + "[5m])";
    }
    String matching =
        pick(
            List.of(
                " ignoring (cluster) ",
                " on (instance) ",
                " on (job, instance) group_left ",
                " ignoring (cluster) group_right (cluster) ",
                " on (cluster, job) group_left ",
                " ",
                " ignoring (cluster, instance) group_left "));
    String op = pick(List.of("/", "-", ">", "and", "unless", "or", "> bool"));
    if (op.equals("and") || op.equals("unless") || op.equals("or")) {
      matching = pick(List.of(" ignoring (cluster) ", " on (instance) ", " on (job) ", " "));
    }
    return depth > 0 && random.nextBoolean()
        ? pick(SIMPLE_AGGREGATIONS) + grouping() + "(" + left + " " + op + matching + right + ")"
        : left + " " + op + matching + right;
  }

  private String rangeFunction(Metric metric) {
    String function = pick(RANGE_FUNCTIONS);
    String matrix = selector(metric) + "[" + pick(RANGES) + "]" + modifiers();
    if (random.nextInt(8) == 0) {
      return "quantile_over_time(" + pick(List.of("0.5", "0.9")) + ", " + matrix + ")";
    }
    return function + "(" + matrix + ")";
  }

  private String selectorWithModifiers(Metric metric) {
    return selector(metric) + modifiers();
  }

  private String modifiers() {
    return switch (random.nextInt(8)) {
      case 0 -> " offset " + pick(OFFSETS);
      case 1 -> " @ " + (time - 60L * random.nextInt(40));
      case 2 -> " @ " + pick(List.of("start()", "end()"));
      default -> "";
    };
  }

  private String selector(Metric metric) {
    List<String> matchers = new ArrayList<>();
    if (random.nextInt(3) == 0) {
      matchers.add(pick(metric.extraMatchers()));
    }
    String own = perSelector ? pick(SELECTOR_SHARD_MATCHERS) : shardMatcher;
    if (!own.isEmpty()) {
      matchers.add(random.nextInt(matchers.size() + 1), own);
    }
    return metric.name() + (matchers.isEmpty() ? "" : "{" + String.join(", ", matchers) + "}");
  }

  private <T> T pick(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }
}
