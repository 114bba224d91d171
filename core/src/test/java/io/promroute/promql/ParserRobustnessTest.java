package io.promroute.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.promroute.promql.ast.Expr;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Hostile input ends in a {@link PromQLParseException}, never in anything else. */
class ParserRobustnessTest {

  private static final int HUGE = 100_000;

  @Test
  void hundredThousandNestedParenthesesHitTheNestingLimit() {
    String query = "(".repeat(HUGE) + "1" + ")".repeat(HUGE);
    assertThatThrownBy(() -> PromQL.parse(query))
        .isInstanceOf(PromQLParseException.class)
        .hasMessageContaining("nested too deeply");
  }

  @Test
  void hundredThousandTermChainsParseWithinTheDefaultNestingLimit() {
    Expr sum = PromQL.parse("1" + " + 1".repeat(HUGE));
    Expr or = PromQL.parse("a" + " or a".repeat(2_000));

    assertThat(sum.type()).isEqualTo(io.promroute.promql.ast.ValueType.SCALAR);
    assertThat(PromQL.print(or)).isEqualTo("a" + " or a".repeat(2_000));
  }

  @Test
  void theNestingLimitCountsNestingNotChainLength() {
    // Two parentheses, the operator, its operands: four levels, however long the chain.
    ParserOptions shallow = ParserOptions.builder().maxNestingDepth(4).build();

    assertThat(PromQL.parse("a" + " or a".repeat(100), shallow)).isNotNull();
    assertThat(PromQL.parse("((a" + " + a".repeat(100) + "))", shallow)).isNotNull();
    assertThatThrownBy(() -> PromQL.parse("((((a))))", shallow))
        .isInstanceOf(PromQLParseException.class)
        .hasMessageContaining("more than 4 levels");
  }

  /**
   * A thread with a small stack (as a cold JVM's large interpreted frames make any stack small):
   * deep input gets its answer or its positioned error, never a StackOverflowError.
   */
  @Test
  void deepInputOnASmallStackGetsItsAnswerOrItsPositionedError() throws InterruptedException {
    String nested = "abs(".repeat(600) + "foo" + ")".repeat(600);
    String unclosed = "abs(".repeat(600);
    AtomicReference<Object> parsed = new AtomicReference<>();
    AtomicReference<Object> failed = new AtomicReference<>();
    Thread thread =
        new Thread(
            null,
            () -> {
              try {
                parsed.set(PromQL.print(PromQL.parse(nested)));
              } catch (Throwable t) {
                parsed.set(t);
              }
              try {
                failed.set(PromQL.parse(unclosed));
              } catch (Throwable t) {
                failed.set(t);
              }
            },
            "small-stack",
            64L << 10);
    thread.start();
    thread.join();

    assertThat(parsed.get()).isEqualTo(nested);
    assertThat(failed.get()).isInstanceOf(PromQLParseException.class);
    PromQLParseException error = (PromQLParseException) failed.get();
    assertThat(error.getMessage()).isEqualTo("1:2401: parse error: unclosed left parenthesis");
  }

  @Test
  void longRightAssociativeAndUnaryChainsHitTheNestingLimit() {
    assertThatThrownBy(() -> PromQL.parse("2" + " ^ 2".repeat(HUGE)))
        .isInstanceOf(PromQLParseException.class)
        .hasMessageContaining("nested too deeply");
    assertThatThrownBy(() -> PromQL.parse("-".repeat(HUGE) + "foo"))
        .isInstanceOf(PromQLParseException.class)
        .hasMessageContaining("nested too deeply");
    assertThatThrownBy(() -> PromQL.parse("abs(".repeat(HUGE) + "foo" + ")".repeat(HUGE)))
        .isInstanceOf(PromQLParseException.class)
        .hasMessageContaining("nested too deeply");
    assertThatThrownBy(() -> PromQL.parse("foo[" + "(".repeat(HUGE) + "1" + ")".repeat(HUGE) + "]"))
        .isInstanceOf(PromQLParseException.class)
        .hasMessageContaining("nested too deeply");
  }

  @Test
  void nestingUpToTheLimitParses() {
    int depth = 200;
    String query = "(".repeat(depth) + "foo" + ")".repeat(depth);
    assertThat(PromQL.parse(query)).isNotNull();
    ParserOptions shallow = ParserOptions.builder().maxNestingDepth(10).build();
    assertThatThrownBy(() -> PromQL.parse(query, shallow))
        .isInstanceOf(PromQLParseException.class)
        .hasMessageContaining("more than 10 levels");
  }

  @Test
  void queriesLongerThanTheLimitAreRejected() {
    ParserOptions small = ParserOptions.builder().maxQueryLength(10).build();
    assertThat(PromQL.parse("up{a=\"b\"}", small)).isNotNull();
    assertThatThrownBy(() -> PromQL.parse("up{a=\"bcd\"}", small))
        .isInstanceOf(PromQLParseException.class)
        .hasMessageContaining("query is too long: 11 characters, the maximum is 10");
  }

  @Test
  void hugeNumbersAreOutOfRange() {
    String digits = "9".repeat(HUGE);
    assertThatThrownBy(() -> PromQL.parse(digits))
        .isInstanceOf(PromQLParseException.class)
        .hasMessageEndingWith("value out of range");
    assertThat(PromQL.parse("0".repeat(HUGE) + "7"))
        .isEqualTo(new io.promroute.promql.ast.NumberLiteral(7));
  }

  @Test
  void longFlatQueriesParse() {
    String query = "foo{" + "a=\"b\",".repeat(10_000) + "}";
    assertThat(PromQL.parse(query)).isNotNull();
  }

  /** Prometheus's stress case (an 11,000-term chain): Prometheus's error at its position. */
  @Test
  void longChainReportsPrometheusErrorAndPosition() {
    String query = "(-{}-1" + "-{}-1".repeat(11_000) + ")[1m:]";

    PromQLParseException failure =
        catchThrowableOfType(PromQLParseException.class, () -> PromQL.parse(query));

    assertThat(failure).isNotNull();
    assertThat(failure.reason())
        .isEqualTo("vector selector must contain at least one non-empty matcher");
    assertThat(failure.startOffset()).isEqualTo(2);
    assertThat(failure.endOffset()).isEqualTo(4);
  }

  @Test
  void nothingIsPrintedToStandardError() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (String query :
          new String[] {"foo{", "sum by (", "1 +* 2", "a b c", "foo[5m", ")", "\"\\q\""}) {
        assertThatThrownBy(() -> PromQL.parse(query)).isInstanceOf(PromQLParseException.class);
      }
    } finally {
      System.setErr(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void parsingIsThreadSafe() throws Exception {
    List<String> queries =
        List.of(
            "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))",
            "a / on (x) group_left (y) b offset 5m",
            "histogram_quantile(0.9, sum by (le) (rate(foo_bucket[1m])))",
            "foo[5m:1m] @ end()");
    List<Expr> expected = queries.stream().map(PromQL::parse).toList();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int task = 0; task < 8; task++) {
        results.add(
            pool.submit(
                () -> {
                  for (int round = 0; round < 500; round++) {
                    int index = round % queries.size();
                    if (!PromQL.parse(queries.get(index)).equals(expected.get(index))) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void whitespaceDoesNotChangeTheTree() {
    Expr expected = PromQL.parse("a * on (x) group_left (y) (b)");
    assertThat(PromQL.parse("a * on(x) group_left(y) (b)")).isEqualTo(expected);
  }
}
