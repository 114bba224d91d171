package io.promroute.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.promql.ParserOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A shard's "found duplicate series" error gets the shard label back in the label sets it prints,
 * where the global view (one Prometheus holding shards a, b and c, each series with {@code
 * cluster="<key>"}) has it, in Prometheus's label order; other messages pass unchanged.
 */
class EvaluationErrorWordingTest {

  private static final ShardRewriter STRIP =
      ShardRewriter.builder()
          .shardLabel("cluster")
          .shards(List.of("a", "b", "c"))
          .parserOptions(ParserOptions.allFeatures())
          .build();

  private static String duplicate(String group, String side, String first, String second) {
    return "found duplicate series for the match group "
        + group
        + " on the "
        + side
        + " hand-side of the operation: ["
        + first
        + ", "
        + second
        + "];many-to-many matching not allowed: matching labels must be unique on one side";
  }

  /** A shard's message: two series of one instance on the right, grouped by instance. */
  private static final String ON_INSTANCE =
      duplicate(
          "{instance=\"i\"}",
          "right",
          "{instance=\"i\", job=\"j2\"}",
          "{instance=\"i\", job=\"j1\"}");

  private static String reworded(String query, String shard, String message) {
    return STRIP.evaluationError(query, STRIP.rewrite(query).shards(), shard, message);
  }

  @Test
  void theSeriesGetTheShardLabelAndAnOnGroupWithoutItStaysAsItIs() {
    String shardMessage =
        duplicate(
            "{instance=\"i\"}",
            "right",
            "{__name__=\"y\", instance=\"i\", job=\"j2\"}",
            "{__name__=\"y\", instance=\"i\", job=\"j1\"}");
    assertThat(reworded("x{cluster=\"b\"} / on (instance) y{cluster=\"b\"}", "b", shardMessage))
        .isEqualTo(
            duplicate(
                "{instance=\"i\"}",
                "right",
                "{__name__=\"y\", cluster=\"b\", instance=\"i\", job=\"j2\"}",
                "{__name__=\"y\", cluster=\"b\", instance=\"i\", job=\"j1\"}"));
  }

  @Test
  void aGroupGetsTheShardLabelWhenOnListsItOrIgnoringDoesNot() {
    String global =
        duplicate(
            "{cluster=\"c\", instance=\"i\"}",
            "right",
            "{cluster=\"c\", instance=\"i\", job=\"j2\"}",
            "{cluster=\"c\", instance=\"i\", job=\"j1\"}");
    assertThat(
            reworded(
                "rate(x{cluster=\"c\"}[5m]) / on (instance, cluster) rate(y{cluster=\"c\"}[5m])",
                "c",
                ON_INSTANCE))
        .isEqualTo(global);
    assertThat(reworded("x{cluster=\"c\"} - ignoring (job) y{cluster=\"c\"}", "c", ON_INSTANCE))
        .isEqualTo(global);
  }

  @Test
  void groupRightNamesTheLeftSideAndLabelsKeepGoOrderAndQuoting() {
    // Upper case sorts before "__name__", which sorts before "cluster"; values stay Go-quoted.
    String shardMessage =
        duplicate(
            "{instance=\"a\\\"b\\n\"}",
            "left",
            "{A=\"1\", __name__=\"x\", instance=\"a\\\"b\\n\", zone=\"\\u00a0\"}",
            "{A=\"2\", __name__=\"x\", instance=\"a\\\"b\\n\", zone=\"\\u00a0\"}");
    assertThat(
            reworded(
                "x{cluster=\"a\"} / on (instance) group_right y{cluster=\"a\"}", "a", shardMessage))
        .isEqualTo(
            duplicate(
                "{instance=\"a\\\"b\\n\"}",
                "left",
                "{A=\"1\", __name__=\"x\", cluster=\"a\", instance=\"a\\\"b\\n\", zone=\"\\u00a0\"}",
                "{A=\"2\", __name__=\"x\", cluster=\"a\", instance=\"a\\\"b\\n\", zone=\"\\u00a0\"}"));
  }

  @Test
  void aSideWhoseSeriesLackTheLabelInTheGlobalViewStaysAsItIs() {
    String shardMessage = ON_INSTANCE;
    assertThat(
            reworded(
                "x{cluster=\"b\"} / on (instance) sum by (instance, job) (y{cluster=\"b\"})",
                "b",
                shardMessage))
        .isEqualTo(shardMessage);
  }

  @Test
  void operatorsThatDisagreeAboutTheLabelLeaveTheMessageAsItIs() {
    String shardMessage = ON_INSTANCE;
    String query =
        "(x{cluster=\"b\"} / on (instance) y{cluster=\"b\"})"
            + " + on (instance) sum by (instance, job) (z{cluster=\"b\"})";
    assertThat(reworded(query, "b", shardMessage)).isEqualTo(shardMessage);
    // A match group no operator of the query could print: not this query's error to reword.
    String ignoringGroup =
        duplicate(
            "{instance=\"i\", job=\"j\"}",
            "right",
            "{instance=\"i\", job=\"j\", mode=\"1\"}",
            "{instance=\"i\", job=\"j\", mode=\"2\"}");
    assertThat(reworded("x{cluster=\"b\"} / on (instance) y{cluster=\"b\"}", "b", ignoringGroup))
        .isEqualTo(ignoringGroup);
  }

  @Test
  void messagesWithoutLabelSetsAndKeepModePassUnchanged() {
    String query = "x{cluster=\"b\"} / on (instance) y{cluster=\"b\"}";
    for (String message :
        List.of(
            "multiple matches for labels: many-to-one matching must be explicit"
                + " (group_left/group_right)",
            "vector cannot contain metrics with the same labelset",
            "found duplicate series for the match group {instance=\"i\"} on the right hand-side")) {
      assertThat(reworded(query, "b", message)).isEqualTo(message);
    }
    ShardRewriter keep =
        ShardRewriter.builder()
            .shardLabel("cluster")
            .shards(List.of("a", "b", "c"))
            .mode(ShardLabelMode.KEEP)
            .build();
    String shardMessage =
        duplicate(
            "{instance=\"i\"}",
            "right",
            "{cluster=\"b\", instance=\"i\", job=\"j2\"}",
            "{cluster=\"b\", instance=\"i\", job=\"j1\"}");
    assertThat(keep.evaluationError(query, List.of("b"), "b", shardMessage))
        .isEqualTo(shardMessage);
  }
}
