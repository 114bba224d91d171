package io.promroute.shard;

import static io.promroute.shard.ShardedQuery.Execution.CONCATENATE;
import static io.promroute.shard.ShardedQuery.Execution.CROSS_SHARD_MERGE;
import static io.promroute.shard.ShardedQuery.Execution.NONE;
import static io.promroute.shard.ShardedQuery.Execution.SINGLE_SHARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.promql.ParserOptions;
import io.promroute.promql.PromQL;
import io.promroute.promql.PromQLParseException;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.Function;
import io.promroute.promql.ast.ValueType;
import io.promroute.promql.ast.VectorSelector;
import io.promroute.shard.ShardRoutingException.Reason;
import io.promroute.shard.ShardedQuery.Execution;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Query → shards, rewritten canonical query, add-back flag and execution, against the global view:
 * one Prometheus holding the series of shards a, b and c, each with {@code cluster="<key>"}.
 */
class ShardRewriterTest {

  private static final List<String> SHARDS = List.of("a", "b", "c");

  private static ShardRewriter rewriter(Consumer<ShardRewriter.Builder> configure) {
    ShardRewriter.Builder builder =
        ShardRewriter.builder()
            .shardLabel("cluster")
            .shards(SHARDS)
            .parserOptions(ParserOptions.allFeatures());
    configure.accept(builder);
    return builder.build();
  }

  private static final ShardRewriter STRIP = rewriter(builder -> {});

  /**
   * prome-route's compatibility policy: the query runs on the intersection of the shards its
   * selectors name, which unlabeled selectors inherit. Tables of queries mixing selectors use it;
   * {@link #eachSelectorReadsItsOwnShardsInTheGlobalView} has the default's answers.
   */
  private static final ShardRewriter INHERIT =
      rewriter(builder -> builder.unlabeledSelectors(UnlabeledSelectorPolicy.INHERIT));

  private static void assertRouted(
      ShardRewriter rewriter,
      String query,
      String rewritten,
      String shards,
      boolean addShardLabel,
      Execution execution) {
    ShardedQuery result = rewriter.rewrite(query);
    assertThat(result.query()).as("rewritten query").isEqualTo(rewritten);
    assertThat(result.shards()).as("shards").isEqualTo(Arrays.asList(shards.split(" ")));
    assertThat(result.addShardLabel()).as("addShardLabel").isEqualTo(addShardLabel);
    assertThat(result.execution()).as("execution").isEqualTo(execution);
    assertThat(result.shardLabel()).isEqualTo("cluster");
    assertThat(result.warnings()).isEmpty();
    // The rewritten query is valid PromQL and prints back to itself.
    assertThat(PromQL.print(PromQL.parse(result.query(), ParserOptions.allFeatures())))
        .isEqualTo(result.query());
    if (execution == CROSS_SHARD_MERGE || execution == Execution.CONCATENATE_IF_RANGE) {
      assertThat(result.crossShardReason()).isNotEmpty();
    } else {
      assertThat(result.crossShardReason()).isEmpty();
    }
  }

  private static void assertRefused(
      ShardRewriter rewriter, String query, Reason reason, String... messageParts) {
    assertThatThrownBy(() -> rewriter.rewrite(query))
        .isInstanceOfSatisfying(
            ShardRoutingException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .message()
        .contains(messageParts);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " | ",
      textBlock =
          """
          # Which shards: =, !=, =~, !~, anchored RE2, Grafana's multi-value and All forms
          up{cluster="b"}                        | up | b     | true | SINGLE_SHARD
          up{cluster=~"a|b"}                     | up | a b   | true | CONCATENATE
          up{cluster!="a"}                       | up | b c   | true | CONCATENATE
          up{cluster!~"c.*"}                     | up | a b   | true | CONCATENATE
          up{cluster=~"(a|b)"}                   | up | a b   | true | CONCATENATE
          up{cluster=~".*"}                      | up | a b c | true | CONCATENATE
          up{cluster=~".+"}                      | up | a b c | true | CONCATENATE
          up{cluster=~"a|zzz"}                   | up | a     | true | SINGLE_SHARD
          up{cluster=~"(?i)B"}                   | up | b     | true | SINGLE_SHARD
          up{cluster=~"a|"}                      | up | a     | true | SINGLE_SHARD
          up{cluster!=""}                        | up | a b c | true | CONCATENATE
          # Several matchers in one selector intersect, and so do selectors
          up{cluster=~"a|b",cluster!="a"}        | up | b     | true | SINGLE_SHARD
          # Selectors without the label inherit the shards the others chose
          x{cluster="a"} / y                     | x / y | a  | true | SINGLE_SHARD
          # No shard matcher: every shard; no selector at all: one shard
          up                                     | up | a b c | true | CONCATENATE
          1 + 1                                  | 1 + 1 | a  | false | SINGLE_SHARD
          vector(1)                              | vector(1) | a | false | SINGLE_SHARD
          time()                                 | time() | a | false | SINGLE_SHARD
          """)
  void selectsShards(
      String query, String rewritten, String shards, boolean addShardLabel, Execution execution) {
    assertRouted(INHERIT, query, rewritten, shards, addShardLabel, execution);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " | ",
      textBlock =
          """
          rate(x{cluster="a",job="j"}[5m])                  | rate(x{job="j"}[5m])
          x{job="j",cluster="a",instance="i"}               | x{instance="i",job="j"}
          {cluster="a"}                                     | {__name__=~".+"}
          {cluster="a",job=~".*"}                           | {__name__=~".+",job=~".*"}
          {cluster="a",job!=""}                             | {job!=""}
          {cluster="a",job=""}                              | {__name__=~".+",job=""}
          {cluster="a",job="j"}                             | {job="j"}
          {cluster="a",job=~"j.*"}                          | {job=~"j.*"}
          count_over_time({cluster="a"}[5m])                | count_over_time({__name__=~".+"}[5m])
          max_over_time(rate(x{cluster="a"}[5m])[1h:1m])    | max_over_time(rate(x[5m])[1h:1m])
          x{cluster="a"} offset 5m                          | x offset 5m
          x{cluster="a"} @ 1609746000                       | x @ 1609746000.000
          rate(x{cluster="a"}[5m] @ 1609746000 offset 1m)   | rate(x[5m] @ 1609746000.000 offset 1m)
          rate(x{cluster="a"}[5m] @ end())                  | rate(x[5m] @ end())
          max_over_time(x{cluster="a"}[10m:1m] offset 1h)   | max_over_time(x[10m:1m] offset 1h)
          x{cluster="a"} / y{cluster="a"}                   | x / y
          -x{cluster="a"}                                   | -x
          (x{cluster="a"})                                  | (x)
          histogram_quantile(0.9, rate(b{cluster="a"}[5m])) | histogram_quantile(0.9, rate(b[5m]))
          clamp_max(x{cluster="a"}, 3)                      | clamp_max(x, 3)
          x{cluster="a"} > bool 1                           | x > bool 1
          x{cluster="a"} * on (cluster) group_left () y     | x * on (cluster) group_left () y
          """)
  void removesShardMatchersFromEverySelector(String query, String rewritten) {
    ShardedQuery result = INHERIT.rewrite(query);
    assertThat(result.query()).isEqualTo(rewritten);
    assertThat(result.shards()).containsExactly("a");
    assertThat(result.execution()).isEqualTo(SINGLE_SHARD);
  }

  @Test
  void infoMayKeepAnEmptyDataLabelSelector() {
    ShardedQuery result = STRIP.rewrite("info(x{cluster=\"a\"}, {cluster=\"a\"})");
    // Compared as trees: the printer does not print an empty selector as {} yet.
    assertThat(result.expr())
        .isEqualTo(
            new Call(
                Function.byName("info").orElseThrow(),
                List.of(new VectorSelector("x", List.of()), new VectorSelector(null, List.of()))));
    assertThat(result.addShardLabel()).isTrue();
  }

  @Test
  void keepModeOnlyRoutes() {
    ShardRewriter keep = rewriter(builder -> builder.mode(ShardLabelMode.KEEP));
    Expr parsed = PromQL.parse("sum by (job) (rate(x{cluster=\"b\"}[5m]))");
    ShardedQuery result = keep.rewrite(parsed);
    assertThat(result.expr()).isSameAs(parsed);
    assertThat(result.query()).isEqualTo("sum by (job) (rate(x{cluster=\"b\"}[5m]))");
    assertThat(result.shards()).containsExactly("b");
    // The shards store the label themselves: their answers already carry it where they should.
    assertThat(result.addShardLabel()).isFalse();
    assertThat(result.execution()).isEqualTo(SINGLE_SHARD);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " | ",
      textBlock =
          """
          x{cluster=~"a|b"}                                 | CONCATENATE
          sum(x{cluster=~"a|b"})                            | CROSS_SHARD_MERGE
          sum by (cluster) (x{cluster=~"a|b"})              | CONCATENATE
          label_replace(x{cluster="a"}, "cluster", "z", "", "") | SINGLE_SHARD
          label_replace(x{cluster=~"a|b"}, "cluster", "z", "", "") | CROSS_SHARD_MERGE
          label_replace(x{cluster=~"a|b"}, "d", "$1", "cluster", "(.*)") | CONCATENATE
          """)
  void keepModeClassifiesLikeStripMode(String query, Execution execution) {
    ShardRewriter keep = rewriter(builder -> builder.mode(ShardLabelMode.KEEP));
    ShardedQuery result = keep.rewrite(query);
    assertThat(result.query())
        .isEqualTo(PromQL.print(PromQL.parse(query, ParserOptions.allFeatures())));
    assertThat(result.addShardLabel()).isFalse();
    assertThat(result.execution()).isEqualTo(execution);
  }

  /**
   * Whether the global view's output series carry {@code cluster}, for one shard (a): the add-back
   * flag.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " | ",
      textBlock =
          """
          # Aggregations
          sum by (cluster, job) (x{cluster="a"})              | sum by (cluster, job) (x)          | true
          sum by (job) (x{cluster="a"})                       | sum by (job) (x)                   | false
          sum without (instance) (x{cluster="a"})             | sum without (instance) (x)         | true
          sum without (cluster) (x{cluster="a"})              | sum without (cluster) (x)          | false
          sum(x{cluster="a"})                                 | sum(x)                             | false
          avg(x{cluster="a"})                                 | avg(x)                             | false
          quantile(0.9, x{cluster="a"})                       | quantile(0.9, x)                   | false
          stddev by (cluster) (x{cluster="a"})                | stddev by (cluster) (x)            | true
          sum by (cluster) (sum by (job) (x{cluster="a"}))    | sum by (cluster) (sum by (job) (x)) | false
          topk(3, x{cluster="a"})                             | topk(3, x)                         | true
          bottomk by (job) (3, x{cluster="a"})                | bottomk by (job) (3, x)            | true
          topk(3, sum by (job) (x{cluster="a"}))              | topk(3, sum by (job) (x))          | false
          count_values("v", x{cluster="a"})                   | count_values("v", x)               | false
          count_values by (cluster) ("v", x{cluster="a"})     | count_values by (cluster) ("v", x) | true
          count_values without (job) ("v", x{cluster="a"})    | count_values without (job) ("v", x) | true
          # count_values into the shard label: the value overwrites it, on the shard as globally
          count_values("cluster", x{cluster="a"})             | count_values("cluster", x)         | false
          count_values by (cluster) ("cluster", x{cluster="a"}) | count_values by (cluster) ("cluster", x) | false
          limit_ratio(0.5, sum by (job) (x{cluster="a"}))     | limit_ratio(0.5, sum by (job) (x)) | false
          # Functions
          rate(x{cluster="a"}[5m])                            | rate(x[5m])                        | true
          abs(x{cluster="a"})                                 | abs(x)                             | true
          timestamp(x{cluster="a"})                           | timestamp(x)                       | true
          sort(x{cluster="a"})                                | sort(x)                            | true
          sort_desc(sum by (job) (x{cluster="a"}))            | sort_desc(sum by (job) (x))        | false
          histogram_quantile(0.9, sum by (le) (rate(b{cluster="a"}[5m]))) | histogram_quantile(0.9, sum by (le) (rate(b[5m]))) | false
          histogram_quantile(0.9, sum by (le, cluster) (rate(b{cluster="a"}[5m]))) | histogram_quantile(0.9, sum by (le, cluster) (rate(b[5m]))) | true
          label_replace(x{cluster="a"}, "dst", "$1", "job", "(.*)") | label_replace(x, "dst", "$1", "job", "(.*)") | true
          label_join(x{cluster="a"}, "dst", "-", "job", "instance") | label_join(x, "dst", "-", "job", "instance") | true
          scalar(x{cluster="a"})                              | scalar(x)                          | false
          vector(scalar(x{cluster="a"}))                      | vector(scalar(x))                  | false
          # absent takes its labels from the argument's equality matchers, the stripped one included
          absent(x{cluster="a"})                              | absent(x)                          | true
          absent(x{cluster="a",job="j"})                      | absent(x{job="j"})                 | true
          absent({cluster="a"})                               | absent({__name__=~".+"})           | true
          absent(x{cluster=~"a"})                             | absent(x)                          | false
          absent(x{cluster="a",cluster=~"a|b"})               | absent(x)                          | false
          absent(x{cluster=~"a|b",cluster="a"})               | absent(x)                          | true
          absent((x{cluster="a"}))                            | absent((x))                        | true
          absent(sum(x{cluster="a"}))                         | absent(sum(x))                     | false
          absent_over_time(x{cluster="a"}[5m])                | absent_over_time(x[5m])            | true
          # Binary operators: vector and scalar
          x{cluster="a"} * 2                                  | x * 2                              | true
          2 - x{cluster="a"}                                  | 2 - x                              | true
          x{cluster="a"} > 1                                  | x > 1                              | true
          x{cluster="a"} > bool 1                             | x > bool 1                         | true
          x{cluster="a"} / scalar(y)                          | x / scalar(y)                      | true
          sum(x{cluster="a"}) * 2                             | sum(x) * 2                         | false
          # One-to-one: on (L) keeps L, ignoring (L) drops L
          x{cluster="a"} / y                                  | x / y                              | true
          x{cluster="a"} / on (job) y                         | x / on (job) y                     | false
          x{cluster="a"} / on (cluster, job) y                | x / on (cluster, job) y            | true
          x{cluster="a"} / ignoring (cluster) y               | x / ignoring (cluster) y           | false
          x{cluster="a"} / ignoring (instance) y              | x / ignoring (instance) y          | true
          x{cluster="a"} > on (job) y                         | x > on (job) y                     | false
          # on (cluster) on one shard: every series of both sides has cluster="a", so it matches all as one group, as on ()
          x{cluster="a"} * on (cluster) y                     | x * on (cluster) y                 | true
          sum by (job) (x{cluster="a"}) / on () sum(y)        | sum by (job) (x) / on () sum(y)    | false
          # group_left keeps the left labels plus the included ones, copied from the right
          x{cluster="a"} / on (job) group_left () y           | x / on (job) group_left () y       | true
          x{cluster="a"} / on (job) group_left (cluster) y    | x / on (job) group_left (cluster) y | true
          x{cluster="a"} / on (job) group_left (cluster) sum by (job) (y) | x / on (job) group_left (cluster) sum by (job) (y) | false
          sum by (job) (x{cluster="a"}) / on (job) group_left (cluster) y | sum by (job) (x) / on (job) group_left (cluster) y | true
          sum by (job) (x{cluster="a"}) / on (job) group_right () y | sum by (job) (x) / on (job) group_right () y | true
          x{cluster="a"} / on (job) group_right () sum by (job) (y) | x / on (job) group_right () sum by (job) (y) | false
          x{cluster="a"} / on (job) group_right (cluster) sum by (job) (y) | x / on (job) group_right (cluster) sum by (job) (y) | true
          # Set operators
          x{cluster="a"} and y                                | x and y                            | true
          x{cluster="a"} unless on (job) y                    | x unless on (job) y                | true
          sum by (job) (x{cluster="a"}) and on (job) y        | sum by (job) (x) and on (job) y    | false
          x{cluster="a"} or y                                 | x or y                             | true
          sum(x{cluster="a"}) or vector(0)                    | sum(x) or vector(0)                | false
          """)
  void addsTheShardLabelBackWhereTheGlobalViewHasIt(
      String query, String rewritten, boolean addShardLabel) {
    assertRouted(INHERIT, query, rewritten, "a", addShardLabel, SINGLE_SHARD);
  }

  /**
   * Where the global view reads the shard label's value, the shard is made to see it: the input
   * gets cluster="a" before the function and loses it after (the answer gets it back).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " | ",
      textBlock =
          """
          label_replace(x{cluster="a"}, "dst", "$1", "cluster", "(.*)") | label_replace(label_replace(label_replace(x, "cluster", "a", "", ""), "dst", "$1", "cluster", "(.*)"), "cluster", "", "", "")
          label_join(x{cluster="a"}, "dst", "-", "job", "cluster")      | label_replace(label_join(label_replace(x, "cluster", "a", "", ""), "dst", "-", "job", "cluster"), "cluster", "", "", "")
          rate(label_replace(x{cluster="a"}, "d", "$1", "cluster", "(.*)")[5m:]) | rate(label_replace(label_replace(label_replace(x, "cluster", "a", "", ""), "d", "$1", "cluster", "(.*)"), "cluster", "", "", "")[5m:])
          """)
  void makesTheShardSeeTheShardLabelWhereTheQueryReadsIt(String query, String rewritten) {
    assertRouted(STRIP, query, rewritten, "a", true, SINGLE_SHARD);
  }

  @Test
  void readingTheShardLabelOfAnAggregatedInputNeedsNoRewrite() {
    // sum by (job) drops cluster in the global view too: both see an empty value.
    assertRouted(
        STRIP,
        "label_replace(sum by (job) (x{cluster=\"a\"}), \"d\", \"$1\", \"cluster\", \"(.*)\")",
        "label_replace(sum by (job) (x), \"d\", \"$1\", \"cluster\", \"(.*)\")",
        "a",
        false,
        SINGLE_SHARD);
  }

  @Test
  void sortByTheShardLabelIsATieOnEveryShardAsInTheGlobalView() {
    assertRouted(
        STRIP,
        "sort_by_label(x{cluster=\"a\"}, \"cluster\", \"job\")",
        "sort_by_label(x, \"cluster\", \"job\")",
        "a",
        true,
        SINGLE_SHARD);
  }

  @Test
  void aShardKeyWithADollarIsEscapedInTheReplacementTemplate() {
    ShardRewriter dollar =
        ShardRewriter.builder().shardLabel("cluster").shards(List.of("a$1", "b")).build();
    ShardedQuery result =
        dollar.rewrite("label_replace(x{cluster=\"a$1\"}, \"d\", \"$1\", \"cluster\", \"(.*)\")");
    assertThat(result.query())
        .isEqualTo(
            "label_replace(label_replace(label_replace(x, \"cluster\", \"a$$1\", \"\", \"\"),"
                + " \"d\", \"$1\", \"cluster\", \"(.*)\"), \"cluster\", \"\", \"\", \"\")");
  }

  /** Several shards: concatenation is exact only for shard-local queries (CROSS-SHARD.md's L). */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " | ",
      textBlock =
          """
          x                                                       | true  | CONCATENATE
          x[5m]                                                   | true  | CONCATENATE
          rate(x[5m])                                             | true  | CONCATENATE
          -x                                                      | true  | CONCATENATE
          (x)                                                     | true  | CONCATENATE
          x * 2                                                   | true  | CONCATENATE
          x > 0                                                   | true  | CONCATENATE
          time() - x                                              | true  | CONCATENATE
          sum by (cluster) (rate(x[5m]))                          | true  | CONCATENATE
          sum without (instance) (rate(x[5m]))                    | true  | CONCATENATE
          quantile by (cluster) (0.9, x)                          | true  | CONCATENATE
          topk by (cluster) (5, x)                                | true  | CONCATENATE
          count_values by (cluster) ("v", x)                      | true  | CONCATENATE
          x / y                                                   | true  | CONCATENATE
          x / on (cluster, job) y                                 | true  | CONCATENATE
          x / ignoring (instance) y                               | true  | CONCATENATE
          x / on (cluster) group_left (job) y                     | true  | CONCATENATE
          x and y                                                 | true  | CONCATENATE
          x unless y                                              | true  | CONCATENATE
          x or y                                                  | true  | CONCATENATE
          histogram_quantile(0.9, rate(b[5m]))                    | true  | CONCATENATE
          histogram_quantile(0.9, sum by (le, cluster) (rate(b[5m]))) | true | CONCATENATE
          max_over_time(rate(x[5m])[1h:1m])                       | true  | CONCATENATE
          sum by (cluster) (max_over_time(rate(x[5m])[1h:1m]))    | true  | CONCATENATE
          label_replace(x, "dst", "$1", "job", "(.*)")            | true  | CONCATENATE
          sum(rate(x[5m]))                                        | false | CROSS_SHARD_MERGE
          sum by (job) (rate(x[5m]))                              | false | CROSS_SHARD_MERGE
          sum without (cluster) (x)                               | false | CROSS_SHARD_MERGE
          avg(x)                                                  | false | CROSS_SHARD_MERGE
          quantile(0.9, x)                                        | false | CROSS_SHARD_MERGE
          topk(5, x)                                              | true  | CROSS_SHARD_MERGE
          topk(5, sum by (cluster) (x))                           | true  | CROSS_SHARD_MERGE
          limitk(5, x)                                            | true  | CROSS_SHARD_MERGE
          limitk by (cluster) (5, x)                              | true  | CROSS_SHARD_MERGE
          limit_ratio(0.5, x)                                     | true  | CROSS_SHARD_MERGE
          count_values("v", x)                                    | false | CROSS_SHARD_MERGE
          count_values("cluster", x)                              | false | CROSS_SHARD_MERGE
          sort(x)                                                 | true  | CONCATENATE_IF_RANGE
          sort_desc(x)                                            | true  | CONCATENATE_IF_RANGE
          (sort_desc(rate(x[5m]) * 2))                            | true  | CONCATENATE_IF_RANGE
          sort_by_label(x, "job")                                 | true  | CONCATENATE_IF_RANGE
          sort_desc(sum by (job) (x))                             | false | CROSS_SHARD_MERGE
          sort(x) + 1                                             | true  | CROSS_SHARD_MERGE
          sort(x / on (job) group_left () y)                      | true  | CROSS_SHARD_MERGE
          absent(x)                                               | false | CROSS_SHARD_MERGE
          scalar(x)                                               | false | CROSS_SHARD_MERGE
          vector(scalar(x))                                       | false | CROSS_SHARD_MERGE
          x * scalar(y)                                           | true  | CROSS_SHARD_MERGE
          topk(scalar(y), x)                                      | true  | CROSS_SHARD_MERGE
          x / on (job) y                                          | false | CROSS_SHARD_MERGE
          x / ignoring (cluster) y                                | false | CROSS_SHARD_MERGE
          x / on (job) group_left () y                            | true  | CROSS_SHARD_MERGE
          x and on (job) y                                        | true  | CROSS_SHARD_MERGE
          x unless ignoring (cluster) y                           | true  | CROSS_SHARD_MERGE
          histogram_quantile(0.9, sum by (le) (rate(b[5m])))      | false | CROSS_SHARD_MERGE
          max_over_time(sum(rate(x[5m]))[1h:1m])                  | false | CROSS_SHARD_MERGE
          sum(sum by (cluster) (x))                               | false | CROSS_SHARD_MERGE
          sum(x) / sum(y)                                         | false | CROSS_SHARD_MERGE
          info(x)                                                 | true  | CROSS_SHARD_MERGE
          """)
  void classifiesQueriesOverSeveralShards(
      String query, boolean addShardLabel, Execution execution) {
    String rewritten = PromQL.print(PromQL.parse(query, ParserOptions.allFeatures()));
    assertRouted(STRIP, query, rewritten, "a b c", addShardLabel, execution);
  }

  @Test
  void explainsWhyAQueryNeedsACrossShardMerge() {
    assertThat(STRIP.rewrite("sum(rate(x[5m]))").crossShardReason())
        .isEqualTo("sum combines series of several shards (it does not group by \"cluster\")");
    assertThat(STRIP.rewrite("sort_desc(x)").crossShardReason())
        .isEqualTo("sort_desc() orders the series of several shards");
    assertThat(STRIP.rewrite("x / on (job) y").crossShardReason())
        .contains("matches series of different shards");
  }

  /**
   * Where one shard would compare or rewrite the label its series lack, it is made to have it:
   * {@code label_replace(e, "cluster", "a", "", "")} gives the subtree's series the label the
   * global view has; the answer then needs no add-back.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " | ",
      textBlock =
          """
          # The global view sets cluster from the replacement, or keeps the shard's value
          label_replace(x{cluster="a"}, "cluster", "z", "", "")      | label_replace(label_replace(x, "cluster", "a", "", ""), "cluster", "z", "", "")
          label_join(x{cluster="a"}, "cluster", "-", "job")          | label_join(label_replace(x, "cluster", "a", "", ""), "cluster", "-", "job")
          # Globally a series with cluster never matches one without: on the shard both would lack it
          sum by (cluster, job) (x{cluster="a"}) / sum by (job) (y)  | label_replace(sum by (cluster, job) (x), "cluster", "a", "", "") / sum by (job) (y)
          sum by (job) (x{cluster="a"}) / on (cluster, job) y        | sum by (job) (x) / on (cluster, job) label_replace(y, "cluster", "a", "", "")
          x{cluster="a"} or vector(0)                                | label_replace(x, "cluster", "a", "", "") or vector(0)
          x{cluster="a"} and on (cluster) vector(1)                  | label_replace(x, "cluster", "a", "", "") and on (cluster) vector(1)
          # Some output series carry the label, some do not
          x{cluster="a"} or on () vector(0)                          | label_replace(x, "cluster", "a", "", "") or on () vector(0)
          sum by (cluster) (x{cluster="a"} or on () vector(0))       | sum by (cluster) (label_replace(x, "cluster", "a", "", "") or on () vector(0))
          # limitk orders and limit_ratio hashes the label set, which includes cluster globally
          limit_ratio(0.5, x{cluster="a"})                           | limit_ratio(0.5, label_replace(x, "cluster", "a", "", ""))
          limitk(2, x{cluster="a"})                                  | limitk(2, label_replace(x, "cluster", "a", "", ""))
          """)
  void givesOneShardTheLabelWhereTheQueryObservesIt(String query, String rewritten) {
    assertRouted(INHERIT, query, rewritten, "a", false, SINGLE_SHARD);
  }

  /**
   * No shard can compute these, but the router can from the shards' answers to their parts (it sees
   * the label): they go to the cross-shard planner (io.promroute.plan).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " | ",
      textBlock =
          """
          sum by (cluster, job) (x{cluster=~"a|b"}) / sum by (job) (y)         | the left side carries and the right side does not
          sum by (job) (x) / on (cluster, job) y                               | the right side carries and the left side does not
          x or vector(0)                                                       | matches on label "cluster"
          absent_over_time(x[5m]) or x                                         | matches on label "cluster"
          x{cluster!="c"} or on () vector(0)                                   | some result series carry label "cluster"
          sum by (cluster) (x or on () vector(0))                              | only some of its input series carry
          label_replace(x{cluster=~"a|b"}, "cluster", "z", "", "")             | writes label "cluster"
          label_join(x, "cluster", "-", "job")                                 | writes label "cluster"
          label_replace(x{cluster=~"a|b"}, "d", "$1", "cluster", "(.*)")       | value differs between the selected shards a, b
          label_join(x, "d", "-", "cluster")                                   | value differs between the selected shards a, b, c
          """)
  void leavesToTheRouterWhatNoShardCanComputeAlone(String query, String reason) {
    ShardedQuery routed = INHERIT.rewrite(query);
    assertThat(routed.execution()).isEqualTo(CROSS_SHARD_MERGE);
    assertThat(routed.crossShardReason()).contains(reason);
    assertThat(routed.addShardLabel()).isFalse();
  }

  @Test
  void refusesDisjointShardMatchersNamingBoth() {
    assertRefused(
        INHERIT,
        "x{cluster=\"a\"} / y{cluster=\"b\"}",
        Reason.CONFLICTING_SHARDS,
        "cluster=\"a\" and cluster=\"b\" select disjoint shards (a versus b)");
    assertRefused(
        INHERIT,
        "x{cluster=\"a\",cluster=~\"b|c\"}",
        Reason.CONFLICTING_SHARDS,
        "cluster=\"a\" and cluster=~\"b|c\"");
    assertRefused(
        INHERIT,
        "rate(x{cluster=~\"a|b\"}[5m]) / on (job) group_left () max_over_time(y{cluster=\"c\"}[1h:])",
        Reason.CONFLICTING_SHARDS,
        "cluster=~\"a|b\" and cluster=\"c\"");
    assertRefused(
        INHERIT,
        "x{cluster!=\"a\"} / y{cluster!=\"b\"} / z{cluster!=\"c\"}",
        Reason.CONFLICTING_SHARDS,
        "cluster!=\"a\", cluster!=\"b\" together select c, but cluster!=\"c\" selects a, b");
  }

  /**
   * The default, the global view: each selector reads the shards its own shard matchers select
   * (every shard without one). Selectors that all read the same shards route the query as a whole;
   * otherwise the query keeps its matchers and the router combines the shards' answers to its
   * parts, each shard getting them with the selectors it does not read made empty.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " | ",
      textBlock =
          """
          sum(rate(x{cluster="b"}[5m])) / sum(rate(x[5m]))       | a b c | CROSS_SHARD_MERGE
          sum(up{cluster="c"}) / count(up{cluster=~"a|c"})        | a c   | CROSS_SHARD_MERGE
          x{cluster="a"} / ignoring (cluster) x{cluster="b"}      | a b   | CROSS_SHARD_MERGE
          up{cluster="c"} - up{cluster="b"}                       | b c   | CROSS_SHARD_MERGE
          up{cluster="a"} and on (instance) y > 2.9e9             | a b c | CROSS_SHARD_MERGE
          up{cluster="zzz"} or up                                 | a b c | CROSS_SHARD_MERGE
          up{cluster="b",cluster="c"} or up{cluster="a"}          | a     | CROSS_SHARD_MERGE
          x{cluster=~"a|b"} + y{cluster=~"b|c"}                   | a b c | CROSS_SHARD_MERGE
          x{cluster="a"} / y{cluster="a"}                         | a     | SINGLE_SHARD
          x{cluster=~".*"} / y                                    | a b c | CONCATENATE
          x{cluster!="c"} / y{cluster=~"a|b"}                     | a b   | CONCATENATE
          """)
  void eachSelectorReadsItsOwnShardsInTheGlobalView(
      String query, String shards, Execution execution) {
    ShardedQuery routed = STRIP.rewrite(query);
    assertThat(routed.shards()).as("shards").isEqualTo(Arrays.asList(shards.split(" ")));
    assertThat(routed.execution()).as("execution").isEqualTo(execution);
    if (execution == CROSS_SHARD_MERGE) {
      assertThat(routed.selectorShards()).isNotNull();
      assertThat(routed.expr())
          .as("the query keeps its shard matchers")
          .isEqualTo(PromQL.parse(query));
    } else {
      assertThat(routed.selectorShards()).isNull();
      assertThat(ShardStripPropertyTest.shardMatcherCount(routed.expr())).isZero();
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource(
      delimiterString = " | ",
      textBlock =
          """
          sum(rate(x{cluster="b"}[5m])) / sum(rate(x[5m]))  | a | sum(rate(x{cluster="b"}[5m])) / sum(rate(x[5m]))
          sum(rate(x{cluster="b"}[5m])) / sum(rate(x[5m]))  | b | sum(rate(x[5m])) / sum(rate(x[5m]))
          {cluster="a"} or y{cluster!="a"}                  | a | {__name__=~".+"} or y{cluster!~""}
          {cluster="a"} or y{cluster!="a"}                  | b | {cluster="a"} or y
          up{cluster="b",cluster="c"} or up{cluster="a"}    | a | up{cluster="b",cluster="c"} or up
          absent(up{cluster="zzz",job="j"}) or up{cluster="a"} | a | absent(up{cluster="zzz",job="j"}) or up
          """)
  void eachShardGetsItsPartWithTheSelectorsItDoesNotReadMadeEmpty(
      String query, String shard, String part) {
    ShardedQuery routed = STRIP.rewrite(query);
    assertThat(routed.selectorShards()).isNotNull();
    assertThat(PromQL.print(routed.selectorShards().forShard(routed.expr(), shard)))
        .isEqualTo(PromQL.print(PromQL.parse(part)));
  }

  @Test
  void aSelectorWhoseShardMatchersContradictEachOtherIsEmptyNotRefused() {
    ShardedQuery routed = STRIP.rewrite("up{cluster=\"b\", cluster=\"c\"}");
    assertThat(routed.execution()).isEqualTo(NONE);
    assertThat(routed.shards()).isEmpty();
  }

  @Test
  void anUnknownShardEmptiesOnlyItsSelectorWithAWarning() {
    ShardedQuery routed = STRIP.rewrite("up{cluster=\"zzz\"} or up");
    assertThat(routed.shards()).containsExactly("a", "b", "c");
    assertThat(routed.warnings())
        .singleElement()
        .asString()
        .contains("\"zzz\"")
        .contains("match nothing");
  }

  @Test
  void theCompatibilityPoliciesStillApplyToSelectorsWithShardsOfTheirOwn() {
    assertRefused(
        rewriter(builder -> builder.unknownShard(UnknownShardPolicy.REJECT)),
        "up{cluster=\"zzz\"} or up",
        Reason.UNKNOWN_SHARD,
        "zzz");
    assertRefused(
        rewriter(builder -> builder.unlabeledSelectors(UnlabeledSelectorPolicy.REJECT)),
        "up{cluster=\"a\"} / up",
        Reason.UNLABELED_SELECTOR,
        "up");
  }

  @Test
  void selectorsNamingMoreShardsThanTheQueryRunsOnGetAWarning() {
    // The intersection rule: x's series of shard a are not read, which one Prometheus holding
    // every shard would read (here harmlessly: default matching pairs series of one shard only).
    ShardedQuery result = INHERIT.rewrite("x{cluster=~\"a|b\"} + y{cluster=~\"b|c\"}");
    assertThat(result.query()).isEqualTo("x + y");
    assertThat(result.shards()).containsExactly("b");
    assertThat(result.warnings())
        .containsExactly(
            "selector x{cluster=~\"a|b\"} also names shards a, which other selectors exclude; the"
                + " query runs on b only",
            "selector y{cluster=~\"b|c\"} also names shards c, which other selectors exclude; the"
                + " query runs on b only");
  }

  @Test
  void unknownShardAnswersEmptyWithAWarningByDefault() {
    ShardedQuery result = STRIP.rewrite("sum(rate(x{cluster=\"zzz\"}[5m]))");
    assertThat(result.execution()).isEqualTo(NONE);
    assertThat(result.shards()).isEmpty();
    assertThat(result.addShardLabel()).isFalse();
    assertThat(result.resultType()).isEqualTo(ValueType.INSTANT_VECTOR);
    assertThat(result.warnings())
        .containsExactly(
            "unknown shard \"zzz\" in cluster=\"zzz\" (known shards: a, b, c); the result is empty");
  }

  @Test
  void regexSelectingNoKnownShardAnswersEmptyNamingTheMatcher() {
    ShardedQuery result = STRIP.rewrite("x{cluster=~\"zz.*\"}[5m]");
    assertThat(result.execution()).isEqualTo(NONE);
    assertThat(result.resultType()).isEqualTo(ValueType.RANGE_VECTOR);
    assertThat(result.warnings())
        .containsExactly(
            "shard matcher cluster=~\"zz.*\" selects no known shard (known shards: a, b, c); the"
                + " result is empty");
  }

  @Test
  void unknownShardQueryMatchesNothingOnAShardSoAbsentAndOrVectorStillAnswer() {
    // absent() takes its labels from equality matchers: cluster="zzz" stays, and matches nothing
    // on a shard, whose series lack the label.
    assertThat(STRIP.rewrite("absent(up{cluster=\"zzz\"})").query())
        .isEqualTo("absent(up{cluster=\"zzz\"})");
    assertThat(STRIP.rewrite("absent_over_time(up{cluster=~\"z.*\"}[2m])").query())
        .isEqualTo("absent_over_time(up{cluster=~\"z.*\"}[2m])");
    // A shard matcher that accepts the empty value would match every series of a shard.
    assertThat(STRIP.rewrite("sum(up{cluster=~\"z|\"}) or vector(0)").query())
        .isEqualTo("sum(up{cluster!~\"\"}) or vector(0)");
    ShardedQuery routed = STRIP.rewrite("scalar(up{cluster=\"zzz\"})");
    assertThat(routed.execution()).isEqualTo(NONE);
    assertThat(routed.shards()).isEmpty();
    assertThat(routed.addShardLabel()).isFalse();
  }

  @Test
  void unknownShardQueryInKeepModeMatchesNothingThroughTheShardsOwnLabel() {
    ShardRewriter keep = rewriter(builder -> builder.mode(ShardLabelMode.KEEP));
    assertThat(keep.rewrite("absent(up{cluster=~\"z|\"})").query())
        .isEqualTo("absent(up{cluster=~\"z|\"})");
  }

  @Test
  void unknownShardCanBeRejected() {
    ShardRewriter reject = rewriter(builder -> builder.unknownShard(UnknownShardPolicy.REJECT));
    assertRefused(
        reject,
        "up{cluster=\"zzz\"}",
        Reason.UNKNOWN_SHARD,
        "query selects an unknown shard: unknown shard \"zzz\" in cluster=\"zzz\" (known shards: a,"
            + " b, c)");
  }

  @Test
  void missingShardMatcherCanBeRejected() {
    ShardRewriter reject =
        rewriter(builder -> builder.missingShardMatcher(MissingShardMatcherPolicy.REJECT));
    assertThatThrownBy(() -> reject.rewrite("sum(rate(up[5m]))"))
        .isInstanceOfSatisfying(
            ShardRoutingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NO_SHARD_MATCHER))
        .hasMessage(
            "query selects no shard: add a matcher on label \"cluster\" (known shards: a, b, c)");
    // Nothing to route: any shard answers a constant query.
    assertThat(reject.rewrite("1 + 1").shards()).containsExactly("a");
  }

  @Test
  void missingShardMatcherCanGoToTheDefaultShard() {
    ShardRewriter defaultShard = rewriter(builder -> builder.defaultShard("b"));
    assertRouted(defaultShard, "rate(up[5m])", "rate(up[5m])", "b", true, SINGLE_SHARD);
    assertRouted(defaultShard, "vector(1)", "vector(1)", "b", false, SINGLE_SHARD);
    assertRouted(defaultShard, "up{cluster=\"c\"}", "up", "c", true, SINGLE_SHARD);
  }

  @Test
  void unlabeledSelectorsCanBeRejected() {
    ShardRewriter reject =
        rewriter(builder -> builder.unlabeledSelectors(UnlabeledSelectorPolicy.REJECT));
    assertRefused(
        reject,
        "x{cluster=\"a\"} / on (job) group_left () y{job=\"j\"}",
        Reason.UNLABELED_SELECTOR,
        "selector y{job=\"j\"} has no matcher on label \"cluster\"");
    assertRouted(reject, "x{cluster=\"a\"} / y{cluster=\"a\"}", "x / y", "a", true, SINGLE_SHARD);
    // A query naming the label nowhere falls under missingShardMatcher instead.
    assertRouted(reject, "x / y", "x / y", "a b c", true, CONCATENATE);
  }

  @Test
  void grafanaEscapedRegexesSelectExactly() {
    ShardRewriter dotted =
        ShardRewriter.builder()
            .shardLabel("cluster")
            .shards(List.of("prod.eu", "prodXeu", "dev"))
            .build();
    // Grafana writes a regex-escaped value inside a PromQL string: prod\\.eu.
    assertThat(dotted.rewrite("up{cluster=~\"prod\\\\.eu\"}").shards()).containsExactly("prod.eu");
    assertThat(dotted.rewrite("up{cluster=~\"(prod\\\\.eu|dev)\"}").shards())
        .containsExactly("prod.eu", "dev");
    assertThat(dotted.rewrite("up{cluster=~\"prod.eu\"}").shards())
        .containsExactly("prod.eu", "prodXeu");
    // Fully anchored: "prod" alone matches no key.
    assertThat(dotted.rewrite("up{cluster=~\"prod\"}").execution()).isEqualTo(NONE);
  }

  @Test
  void rewritesMatchSelectors() {
    ShardedQuery labeled = STRIP.rewriteSelector("{cluster=\"b\"}");
    assertThat(labeled.query()).isEqualTo("{__name__=~\".+\"}");
    assertThat(labeled.shards()).containsExactly("b");
    assertThat(labeled.addShardLabel()).isTrue();

    ShardedQuery unlabeled = STRIP.rewriteSelector("up{job=\"api\"}");
    assertThat(unlabeled.query()).isEqualTo("up{job=\"api\"}");
    assertThat(unlabeled.shards()).containsExactly("a", "b", "c");
    assertThat(unlabeled.execution()).isEqualTo(CONCATENATE);

    assertThatThrownBy(() -> STRIP.rewriteSelector("sum(up)"))
        .isInstanceOf(PromQLParseException.class);
  }

  @Test
  void leavesATreeWithoutShardMatchersAsTheSameInstance() {
    Expr parsed = PromQL.parse("sum by (job) (rate(x{job=\"a\"}[5m])) / on (job) sum by (job) (y)");
    assertThat(STRIP.rewrite(parsed).expr()).isSameAs(parsed);
  }

  @Test
  void rejectsInvalidPromQLWithTheParseException() {
    assertThatThrownBy(() -> STRIP.rewrite("sum(")).isInstanceOf(PromQLParseException.class);
  }

  @Test
  void builderValidatesEagerly() {
    assertThatThrownBy(() -> ShardRewriter.builder().shards(List.of("a")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("shardLabel is not set");
    assertThatThrownBy(() -> ShardRewriter.builder().shardLabel("cluster").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("shards is not set: configure at least one shard");
    assertThatThrownBy(() -> ShardRewriter.builder().shards(List.of()))
        .hasMessage("shards is empty: configure at least one shard");
    assertThatThrownBy(() -> ShardRewriter.builder().shards(List.of("a", "b", "a")))
        .hasMessage("shard key \"a\" is configured twice");
    assertThatThrownBy(() -> ShardRewriter.builder().shardLabel("__name__"))
        .hasMessage("shardLabel cannot be the metric name label __name__");
    assertThatThrownBy(
            () ->
                ShardRewriter.builder()
                    .shardLabel("cluster")
                    .shards(List.of("a", "b"))
                    .defaultShard("z")
                    .build())
        .hasMessage("defaultShard \"z\" is not one of shards [a, b]");
    assertThatThrownBy(
            () ->
                ShardRewriter.builder()
                    .shardLabel("cluster")
                    .shards(List.of("a", "b"))
                    .missingShardMatcher(MissingShardMatcherPolicy.DEFAULT_SHARD)
                    .build())
        .hasMessage("missingShardMatcher is DEFAULT_SHARD but defaultShard is not set");
    assertThatThrownBy(
            () ->
                ShardRewriter.builder()
                    .shardLabel("cluster")
                    .shards(List.of("a", "b"))
                    .defaultShard("a")
                    .missingShardMatcher(MissingShardMatcherPolicy.ALL_SHARDS)
                    .build())
        .hasMessage("defaultShard \"a\" is set but missingShardMatcher is ALL_SHARDS");
  }
}
