package io.promroute.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.promql.ParserOptions;
import io.promroute.promql.PromQL;
import io.promroute.promql.ast.Expr;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EmptySideGuardTest {

  private static final String ON_SHARD =
      "label_replace(vector(0), \"cluster\", \"promroute:empty-side\", \"\", \"\")";
  private static final String IGNORING =
      "label_replace(vector(0), \"__promroute_empty_side__\", \"promroute:empty-side\", \"\", \"\")";

  private static String guarded(String query) {
    return PromQL.print(
        EmptySideGuard.apply(PromQL.parse(query, ParserOptions.allFeatures()), "cluster"));
  }

  @Test
  void theManySideGetsASeriesThatMatchesNothingWhileItIsEmpty() {
    assertThat(guarded("x * on (cluster) group_left y"))
        .isEqualTo("(x or on () " + ON_SHARD + ") * on (cluster) group_left () y");
    assertThat(guarded("x / y")).isEqualTo("(x or on () " + IGNORING + ") / y");
    assertThat(guarded("x > bool ignoring (job) y"))
        .isEqualTo("(x or on () " + IGNORING + ") > bool ignoring (job) y");
  }

  @Test
  void groupRightGuardsTheRightSide() {
    assertThat(guarded("x * on (cluster, job) group_right y"))
        .isEqualTo("x * on (cluster, job) group_right () (y or on () " + ON_SHARD + ")");
  }

  @Test
  void onLabelsWithoutTheShardLabelSetTheFirstOfThem() {
    assertThat(guarded("x - on (job, instance) y"))
        .isEqualTo(
            "(x or on () label_replace(vector(0), \"job\", \"promroute:empty-side\", \"\", \"\"))"
                + " - on (job, instance) y");
  }

  @Test
  void nestedOperationsAreEachGuarded() {
    assertThat(guarded("sum(a / b) - on (cluster) c"))
        .isEqualTo(
            "(sum((a or on () " + IGNORING + ") / b) or on () " + ON_SHARD + ") - on (cluster) c");
    assertThat(guarded("a / b / c"))
        .isEqualTo("(((a or on () " + IGNORING + ") / b) or on () " + IGNORING + ") / c");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "x and y",
        "x or y",
        "x unless on (job) y",
        "x * 2",
        "2 > x",
        "1 + 1",
        "x * on () group_left y",
        "sum(x)",
        "rate(x[5m])"
      })
  void whatCannotHideADuplicateIsLeftAsItIs(String query) {
    Expr parsed = PromQL.parse(query, ParserOptions.allFeatures());
    assertThat(EmptySideGuard.apply(parsed, "cluster")).isSameAs(parsed);
  }

  @Test
  void aVeryLongChainIsLeftAsItIs() {
    String chain = String.join(" / ", Collections.nCopies(EmptySideGuard.MAX_GUARDS + 2, "x"));
    Expr parsed = PromQL.parse(chain, ParserOptions.allFeatures());
    assertThat(EmptySideGuard.apply(parsed, "cluster")).isSameAs(parsed);
    String shorter = String.join(" / ", Collections.nCopies(EmptySideGuard.MAX_GUARDS + 1, "x"));
    Expr guardable = PromQL.parse(shorter, ParserOptions.allFeatures());
    assertThat(EmptySideGuard.apply(guardable, "cluster")).isNotSameAs(guardable);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "found duplicate series for the match group {cluster=\"b\"} on the right hand-side of the"
            + " operation: [a, b];many-to-many matching not allowed: matching labels must be unique"
            + " on one side | true",
        "shard \"b\": found duplicate series for the match group {} on the left hand-side | true",
        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"
            + " | false",
        "vector cannot contain metrics with the same labelset | false"
      })
  void theOneSideDuplicateErrorIsTold(String message, boolean oneSide) {
    assertThat(EmptySideGuard.isOneSideDuplicate(message)).isEqualTo(oneSide);
  }

  @Test
  void theGuardedQueryParses() {
    String guarded = guarded("sum by (cluster) (x * on (cluster, job) group_left (le) y)");
    assertThat(PromQL.print(PromQL.parse(guarded, ParserOptions.defaults()))).isEqualTo(guarded);
  }
}
