package io.promroute.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promroute.promql.ast.Expr;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * The printer against Prometheus's own test data ({@code ../shared/conformance}, see its README)
 * and against the answers of a real Prometheus 2.42 {@code format_query}.
 *
 * <p>The directory comes from the system property {@code promql.conformance.dir} (set by the core
 * pom's profile when the directory exists). The tests fail, not skip, when the property names a
 * missing directory, and when {@code CI=true} and the property is missing. Cases skipped on purpose
 * are listed with their reason in {@code printer-skips.txt}; an entry there that matches no case
 * fails the test, so the list cannot rot.
 */
class PrinterConformanceTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code TestExprString}'s options (the README's table). */
  private static final ParserOptions PRINTER_OPTIONS =
      ParserOptions.builder()
          .durationExpressions(true)
          .extendedRangeSelectors(true)
          .binopFillModifiers(true)
          .build();

  /** {@code prettier_test.go} ran with Prometheus's defaults, duration expressions included. */
  private static final ParserOptions PRETTIER_OPTIONS = ParserOptions.defaults();

  /** {@code parse_test.go}'s options: everything but the fill modifiers. */
  private static final ParserOptions PARSE_VALID_OPTIONS =
      ParserOptions.builder()
          .experimentalFunctions(true)
          .durationExpressions(true)
          .extendedRangeSelectors(true)
          .build();

  /** {@code promqltest.TestParserOpts}: all four switches. */
  private static final ParserOptions EVAL_OPTIONS = ParserOptions.allFeatures();

  /** What a 2.42 server accepts includes holt_winters, which 3.x parses only behind this option. */
  private static final ParserOptions ORACLE_OPTIONS =
      ParserOptions.allFeatures().toBuilder().prometheus2Functions(true).build();

  private static final int FAILURES_SHOWN = 25;

  static Path conformanceDirectory() {
    return conformanceDirectory(System.getProperty("promql.conformance.dir"), System.getenv("CI"));
  }

  /**
   * The corpus directory: a test fails when the property names a missing directory or when CI is
   * "true" and the property is missing; it is skipped only on a developer machine without it.
   */
  static Path conformanceDirectory(String property, String ci) {
    if (property == null || property.isBlank()) {
      if ("true".equals(ci)) {
        fail("CI=true but the system property promql.conformance.dir is not set");
      }
      Assumptions.abort("promql.conformance.dir is not set; the conformance corpus is not checked");
    }
    Path directory = Path.of(property);
    if (!Files.isDirectory(directory)) {
      fail("promql.conformance.dir names a missing directory: " + directory.toAbsolutePath());
    }
    return directory;
  }

  static List<JsonNode> readJsonLines(Path file) {
    if (!Files.isRegularFile(file)) {
      fail("conformance file missing: " + file);
    }
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      List<JsonNode> lines = new ArrayList<>();
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank()) {
          lines.add(JSON.readTree(line));
        }
      }
      return lines;
    } catch (IOException exception) {
      throw new UncheckedIOException(exception);
    }
  }

  /** One skipped case: the corpus file, the exact input and why. */
  record Skip(String file, String input, String reason) {}

  static Map<String, Skip> readSkips() {
    Map<String, Skip> skips = new LinkedHashMap<>();
    try (InputStream stream =
        PrinterConformanceTest.class.getResourceAsStream("/printer-skips.txt")) {
      if (stream == null) {
        fail("printer-skips.txt is missing from the test resources");
      }
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        JsonNode node = JSON.readTree(line);
        Skip skip =
            new Skip(
                node.get("file").asText(), node.get("in").asText(), node.get("reason").asText());
        assertThat(skip.reason()).as("a skip needs a reason: " + line).isNotBlank();
        skips.put(skip.file() + "\u0000" + skip.input(), skip);
      }
    } catch (IOException exception) {
      throw new UncheckedIOException(exception);
    }
    return skips;
  }

  /** Counts, failures and skips of one corpus file, printed for the report. */
  static final class Tally {
    private final String name;
    private final Map<String, Skip> skips;
    private final Set<String> usedSkips = new LinkedHashSet<>();
    private final List<String> failures = new ArrayList<>();
    private final Map<String, Integer> explained = new LinkedHashMap<>();
    private int cases;
    private int passed;
    private int skipped;

    Tally(String name, Map<String, Skip> skips) {
      this.name = name;
      this.skips = skips;
    }

    /** Whether the case is listed in printer-skips.txt; counts it as skipped if so. */
    boolean skip(String file, String input) {
      String key = file + "\u0000" + input;
      if (skips.containsKey(key)) {
        usedSkips.add(key);
        cases++;
        skipped++;
        return true;
      }
      return false;
    }

    void pass() {
      cases++;
      passed++;
    }

    /**
     * A case that differs for a documented reason that is not a printer fault; listed in the
     * output.
     */
    void explain(String input, String reason) {
      cases++;
      explained.merge(reason, 1, Integer::sum);
      System.out.println("[conformance]   explained (" + reason + "): " + JSON.valueToTree(input));
    }

    void failed(String input, String problem) {
      cases++;
      failures.add(JSON.valueToTree(input) + ": " + problem);
    }

    void run(String input, Runnable check) {
      try {
        check.run();
      } catch (PromQLParseException exception) {
        failed(input, "parse error: " + exception.getMessage());
      } catch (RuntimeException | StackOverflowError exception) {
        failed(input, exception.toString());
      }
    }

    void assertAllPassed(String file) {
      StringBuilder summary = new StringBuilder();
      summary
          .append("[conformance] ")
          .append(name)
          .append(": ")
          .append(passed)
          .append(" / ")
          .append(cases)
          .append(" passed");
      if (skipped > 0) {
        summary.append(", ").append(skipped).append(" skipped (printer-skips.txt)");
      }
      explained.forEach(
          (reason, count) ->
              summary.append(", ").append(count).append(" explained: ").append(reason));
      if (!failures.isEmpty()) {
        summary.append(", ").append(failures.size()).append(" FAILED");
      }
      System.out.println(summary);
      List<String> staleSkips = new ArrayList<>();
      skips.forEach(
          (key, skip) -> {
            if (skip.file().equals(file) && !usedSkips.contains(key)) {
              staleSkips.add(skip.input());
            }
          });
      assertThat(staleSkips).as(name + ": printer-skips.txt entries that match no case").isEmpty();
      if (!failures.isEmpty()) {
        fail(
            summary
                + "\n"
                + String.join(
                    "\n", failures.subList(0, Math.min(FAILURES_SHOWN, failures.size()))));
      }
    }
  }

  @Test
  void missingCorpusFailsWhenNamedOrOnCiAndSkipsOnlyOtherwise() {
    assertThatThrownBy(() -> conformanceDirectory("/nonexistent/conformance", null))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("missing directory");
    assertThatThrownBy(() -> conformanceDirectory(null, "true"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("CI=true");
    assertThatThrownBy(() -> conformanceDirectory(null, null))
        .isInstanceOf(TestAbortedException.class);
  }

  @Test
  void everyPrinterPairPrintsExactlyTheExpectedOutput() {
    Path directory = conformanceDirectory();
    Tally tally = new Tally("printer.jsonl (print)", readSkips());
    for (JsonNode line : readJsonLines(directory.resolve("printer.jsonl"))) {
      String input = line.get("in").asText();
      String expected = line.get("out").asText();
      if (tally.skip("printer.jsonl", input)) {
        continue;
      }
      tally.run(
          input,
          () -> {
            String printed = PromQL.print(PromQL.parse(input, PRINTER_OPTIONS));
            if (printed.equals(expected)) {
              tally.pass();
            } else {
              tally.failed(
                  input,
                  "printed "
                      + JSON.valueToTree(printed)
                      + ", expected "
                      + JSON.valueToTree(expected));
            }
          });
    }
    tally.assertAllPassed("printer.jsonl");
  }

  @Test
  void everyPrettierPairPrettyPrintsExactlyTheExpectedOutput() {
    Path directory = conformanceDirectory();
    Tally tally = new Tally("prettier.jsonl (prettyPrint)", readSkips());
    for (JsonNode line : readJsonLines(directory.resolve("prettier.jsonl"))) {
      String input = line.get("in").asText();
      String expected = line.get("out").asText();
      int width = line.get("max_chars").asInt();
      if (tally.skip("prettier.jsonl", input)) {
        continue;
      }
      tally.run(
          input,
          () -> {
            String printed = PromQL.prettyPrint(PromQL.parse(input, PRETTIER_OPTIONS), width);
            if (printed.equals(expected)) {
              tally.pass();
            } else {
              tally.failed(input, "printed\n" + printed + "\nexpected\n" + expected);
            }
          });
    }
    tally.assertAllPassed("prettier.jsonl");
  }

  @Test
  void validExpressionsRoundTripThroughPrint() {
    roundTrip("parse_valid.jsonl", PARSE_VALID_OPTIONS);
  }

  @Test
  void evalQueriesRoundTripThroughPrint() {
    roundTrip("eval_queries.jsonl", EVAL_OPTIONS);
  }

  /**
   * parse(print(e)) equals e up to the order of matchers (which the printer sorts, as Prometheus
   * does), print is idempotent, and the pretty form (at Prometheus's width and at a narrow one that
   * splits nearly everything) parses back to the same tree.
   */
  private static void roundTrip(String file, ParserOptions options) {
    Path directory = conformanceDirectory();
    Tally tally = new Tally(file + " (round trip)", readSkips());
    Set<String> seen = new LinkedHashSet<>();
    for (JsonNode line : readJsonLines(directory.resolve(file))) {
      JsonNode inputNode = line.get("in");
      if (inputNode == null || inputNode.isNull() || !seen.add(inputNode.asText())) {
        continue;
      }
      String input = inputNode.asText();
      if (tally.skip(file, input)) {
        continue;
      }
      tally.run(
          input,
          () -> {
            Expr parsed = PromQL.parse(input, options);
            String printed = PromQL.print(parsed);
            Expr reparsed = PromQL.parse(printed, options);
            // The printer sorts matchers, as Prometheus's does; nothing else may change.
            Expr expected = CanonicalExprs.withSortedMatchers(parsed);
            if (!reparsed.equals(expected)) {
              tally.failed(
                  input, "print " + JSON.valueToTree(printed) + " parses to a different tree");
              return;
            }
            String reprinted = PromQL.print(reparsed);
            if (!reprinted.equals(printed)) {
              tally.failed(input, "print is not idempotent: " + printed + " then " + reprinted);
              return;
            }
            for (int width : new int[] {100, 10}) {
              String pretty = PromQL.prettyPrint(parsed, width);
              if (!PromQL.parse(pretty, options).equals(expected)) {
                tally.failed(
                    input, "prettyPrint at " + width + " parses to a different tree:\n" + pretty);
                return;
              }
            }
            tally.pass();
          });
    }
    tally.assertAllPassed(file);
  }

  @Test
  void prettyPrintMatchesPrometheus242FormatQueryOnItsOwnCorpus() {
    compareWithOracle("format_query_v2.42.0_corpus.jsonl");
  }

  @Test
  void prettyPrintMatchesPrometheus242FormatQueryOnThe314Corpus() {
    compareWithOracle("format_query_v3.14.0_corpus.jsonl");
  }

  /**
   * For every input that Debian's Prometheus 2.42 accepted, our Pretty(0) at width 100 must equal
   * its answer. 2.42 printed numbers with Go's %v (exponent form from 1e+06 on); where only that
   * differs, the case is counted as explained, by printing once more in 2.42's number style. Any
   * other difference must be listed with its reason in printer-skips.txt.
   */
  private static void compareWithOracle(String file) {
    Path directory = conformanceDirectory();
    Tally tally = new Tally("oracle-prometheus-2.42/" + file + " (prettyPrint)", readSkips());
    for (JsonNode line : readJsonLines(directory.resolve("oracle-prometheus-2.42").resolve(file))) {
      if (!line.path("ok").asBoolean(false)) {
        continue;
      }
      String input = line.get("in").asText();
      String expected = line.get("out").asText();
      if (tally.skip(file, input)) {
        continue;
      }
      tally.run(
          input,
          () -> {
            Expr parsed = PromQL.parse(input, ORACLE_OPTIONS);
            String printed = PromQL.prettyPrint(parsed);
            if (printed.equals(expected)) {
              tally.pass();
            } else if (PrettyPrinter.prettyPrint(parsed, 100, Printer.NumberStyle.PROMETHEUS_2)
                .equals(expected)) {
              tally.explain(input, "numbers in 2.42's %v form (3.3+ never uses an exponent)");
            } else {
              tally.failed(input, "printed\n" + printed + "\n2.42 answered\n" + expected);
            }
          });
    }
    tally.assertAllPassed(file);
  }
}
