package io.promroute.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.promroute.promql.ast.Expr;
import org.junit.jupiter.api.Test;

/**
 * For thousands of random parser-shaped trees ({@link RandomExprs}): {@code parse(print(e))} equals
 * {@code e}, and so does parsing the pretty form. Seeded, so a failure reproduces; the seed and the
 * count can be changed with {@code -Dpromql.property.seed} and {@code -Dpromql.property.trees}. A
 * time budget keeps a slow machine from stalling the build, but at least {@link #MINIMUM_TREES}
 * trees are always checked.
 */
class PrintRoundTripPropertyTest {

  private static final long SEED = Long.getLong("promql.property.seed", 20_261_125L);
  private static final int TREES = Integer.getInteger("promql.property.trees", 2500);
  private static final int MINIMUM_TREES = 1000;
  private static final long BUDGET_NANOS = 10_000_000_000L;

  @Test
  void everyOptionalSyntaxTreeParsesBackFromItsPrintedForm() {
    ParserOptions options = ParserOptions.allFeatures();
    checkRoundTrips(new RandomExprs(SEED, options, 4), options);
  }

  @Test
  void defaultSyntaxTreeParsesBackFromItsPrintedForm() {
    ParserOptions options = ParserOptions.defaults();
    checkRoundTrips(new RandomExprs(SEED + 1, options, 5), options);
  }

  private static void checkRoundTrips(RandomExprs generator, ParserOptions options) {
    long start = System.nanoTime();
    int checked = 0;
    while (checked < TREES
        && (checked < MINIMUM_TREES || System.nanoTime() - start < BUDGET_NANOS)) {
      Expr tree = generator.next();
      String printed = PromQL.print(tree);
      assertParsesTo(printed, tree, options, checked);
      assertParsesTo(PromQL.prettyPrint(tree, 30), tree, options, checked);
      checked++;
    }
    System.out.println("[property] " + checked + " random trees round-tripped (seed " + SEED + ")");
    assertThat(checked).isGreaterThanOrEqualTo(MINIMUM_TREES);
  }

  private static void assertParsesTo(String text, Expr tree, ParserOptions options, int index) {
    Expr parsed;
    try {
      parsed = PromQL.parse(text, options);
    } catch (PromQLParseException exception) {
      fail(
          "tree #"
              + index
              + " (seed "
              + SEED
              + ") printed as\n"
              + text
              + "\ndoes not parse: "
              + exception.getMessage()
              + "\ntree: "
              + tree);
      return;
    }
    assertThat(parsed)
        .as("tree #%d (seed %d) printed as%n%s%nparses to another tree", index, SEED, text)
        .isEqualTo(tree);
  }
}
