package io.promroute.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the conformance corpus extracted from Prometheus's own tests (see {@code
 * shared/conformance/README.md}): every must-parse input parses, every must-fail input fails at the
 * position Prometheus reports, every engine-test query parses. The corpus directory comes from the
 * system property {@code promql.conformance.dir}; the test fails when the property names a missing
 * directory, or when it is absent in CI.
 *
 * <p>Cases skipped on purpose are listed, with their reason, in {@code conformance-skips.txt}.
 */
class ParserConformanceTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The options of Prometheus's parse_test.go: all experimental syntax but the fill modifiers. */
  private static final ParserOptions PARSE_TEST_OPTIONS =
      ParserOptions.builder()
          .experimentalFunctions(true)
          .durationExpressions(true)
          .extendedRangeSelectors(true)
          .build();

  /** Prometheus 2.42 knew holt_winters; everything else it parsed is valid 3.x syntax. */
  private static final ParserOptions PROMETHEUS_2_OPTIONS =
      ParserOptions.builder().prometheus2Functions(true).build();

  private static final Path DIRECTORY = corpusDirectory();
  private static final Map<String, Set<String>> SKIPS = readSkips();

  private static Path corpusDirectory() {
    String property = System.getProperty("promql.conformance.dir");
    if (property == null) {
      return null;
    }
    return Path.of(property);
  }

  private static Path requireCorpus() {
    if (DIRECTORY == null) {
      if ("true".equals(System.getenv("CI"))) {
        fail("system property promql.conformance.dir is not set, and CI=true");
      }
      Assumptions.abort("system property promql.conformance.dir is not set");
    }
    if (!Files.isDirectory(DIRECTORY)) {
      fail("promql.conformance.dir names a missing directory: " + DIRECTORY);
    }
    return DIRECTORY;
  }

  @Test
  void corpusDirectoryExistsWhenConfigured() {
    Path directory = requireCorpus();
    assertThat(directory.resolve("parse_valid.jsonl")).isRegularFile();
    assertThat(directory.resolve("v2.42.0").resolve("parse_valid.jsonl")).isRegularFile();
  }

  @TestFactory
  Stream<DynamicTest> validInputsParse() {
    return validCases("parse_valid.jsonl", PARSE_TEST_OPTIONS);
  }

  @TestFactory
  Stream<DynamicTest> invalidInputsFailWherePrometheusFails() {
    return invalidCases("parse_invalid.jsonl", PARSE_TEST_OPTIONS);
  }

  @TestFactory
  Stream<DynamicTest> engineTestQueriesParse() {
    return validCases("eval_queries.jsonl", ParserOptions.allFeatures());
  }

  /** The printer's and prettier's inputs are valid queries too (their output is not ours). */
  @TestFactory
  Stream<DynamicTest> printerInputsParse() {
    return Stream.of("printer.jsonl", "prettier.jsonl")
        .flatMap(file -> validCases(file, ParserOptions.allFeatures()));
  }

  @TestFactory
  Stream<DynamicTest> prometheus2PrinterInputsParse() {
    return Stream.of("v2.42.0/printer.jsonl", "v2.42.0/prettier.jsonl")
        .flatMap(file -> validCases(file, PROMETHEUS_2_OPTIONS));
  }

  @TestFactory
  Stream<DynamicTest> prometheus2ValidInputsParse() {
    return validCases("v2.42.0/parse_valid.jsonl", PROMETHEUS_2_OPTIONS);
  }

  @TestFactory
  Stream<DynamicTest> prometheus2InvalidInputsFail() {
    return invalidCases("v2.42.0/parse_invalid.jsonl", PROMETHEUS_2_OPTIONS);
  }

  @TestFactory
  Stream<DynamicTest> prometheus2EngineTestQueriesParse() {
    return validCases("v2.42.0/eval_queries.jsonl", PROMETHEUS_2_OPTIONS);
  }

  /**
   * Counts the must-fail inputs whose message is exactly Prometheus's, and keeps the count from
   * going down: positions must match (asserted case by case), messages as far as feasible.
   */
  @Test
  void invalidInputMessagesMatchPrometheus() {
    List<JsonNode> cases = read(requireCorpus().resolve("parse_invalid.jsonl"));
    int withMessage = 0;
    int matching = 0;
    int fullyMatching = 0;
    List<String> different = new ArrayList<>();
    for (JsonNode entry : cases) {
      String input = input(entry);
      if (entry.get("error").isNull() || isSkipped("parse_invalid.jsonl", input)) {
        continue;
      }
      withMessage++;
      PromQLParseException exception = parseFailure(input, PARSE_TEST_OPTIONS);
      if (exception != null && exception.getMessage().equals(entry.get("error_string").asText())) {
        fullyMatching++;
      }
      if (exception != null && exception.reason().equals(entry.get("error").asText())) {
        matching++;
      } else {
        different.add(
            abbreviate(input)
                + "\n    expected: "
                + entry.get("error").asText()
                + "\n    actual:   "
                + (exception == null ? "(parsed)" : exception.reason()));
      }
    }
    System.out.printf(
        "parse_invalid.jsonl: %d of %d messages match Prometheus exactly, %d with the same"
            + " line:column prefix%n",
        matching, withMessage, fullyMatching);
    different.forEach(line -> System.out.println("  " + line));
    assertThat(matching).isGreaterThanOrEqualTo(MINIMUM_MATCHING_MESSAGES);
  }

  /**
   * The 2.42 corpus gives a fragment of the message (Go's test used {@code Contains}); 3.x reworded
   * some messages, so this counts how many still contain it and keeps that from dropping.
   */
  @Test
  void prometheus2InvalidInputMessagesContainTheExpectedText() {
    List<JsonNode> cases = read(requireCorpus().resolve("v2.42.0/parse_invalid.jsonl"));
    int withText = 0;
    int containing = 0;
    List<String> different = new ArrayList<>();
    for (JsonNode entry : cases) {
      String input = input(entry);
      JsonNode expected = entry.get("error_contains");
      if (expected == null
          || expected.isNull()
          || isSkipped("v2.42.0/parse_invalid.jsonl", input)) {
        continue;
      }
      withText++;
      PromQLParseException exception = parseFailure(input, PROMETHEUS_2_OPTIONS);
      if (exception != null && exception.getMessage().contains(expected.asText())) {
        containing++;
      } else {
        different.add(
            abbreviate(input)
                + "\n    expected to contain: "
                + expected.asText()
                + "\n    actual: "
                + (exception == null ? "(parsed)" : exception.getMessage()));
      }
    }
    System.out.printf(
        "v2.42.0/parse_invalid.jsonl: %d of %d messages contain Prometheus 2.42's text%n",
        containing, withText);
    different.forEach(line -> System.out.println("  " + line));
    assertThat(containing).isGreaterThanOrEqualTo(MINIMUM_PROMETHEUS_2_MESSAGES);
  }

  private static final int MINIMUM_PROMETHEUS_2_MESSAGES = 115;

  /** Raised as messages improve; a drop means a regression. */
  private static final int MINIMUM_MATCHING_MESSAGES = 141;

  private static Stream<DynamicTest> validCases(String file, ParserOptions options) {
    List<JsonNode> cases = read(requireCorpus().resolve(file));
    Set<String> seen = new LinkedHashSet<>();
    return cases.stream()
        .map(ParserConformanceTest::input)
        .filter(seen::add)
        .map(
            input ->
                DynamicTest.dynamicTest(
                    file + ": " + abbreviate(input),
                    () -> {
                      if (isSkipped(file, input)) {
                        Assumptions.abort("listed in conformance-skips.txt");
                      }
                      assertThatCode(() -> PromQL.parse(input, options))
                          .as("parsing %s", input)
                          .doesNotThrowAnyException();
                    }));
  }

  private static Stream<DynamicTest> invalidCases(String file, ParserOptions options) {
    List<JsonNode> cases = read(requireCorpus().resolve(file));
    return cases.stream()
        .map(
            entry -> {
              String input = input(entry);
              return DynamicTest.dynamicTest(
                  file + ": " + abbreviate(input),
                  () -> {
                    if (isSkipped(file, input)) {
                      Assumptions.abort("listed in conformance-skips.txt");
                    }
                    PromQLParseException exception = parseFailure(input, options);
                    assertThat(exception).as("parsing %s must fail", input).isNotNull();
                    JsonNode start = entry.get("start");
                    if (start != null && !start.isNull()) {
                      assertThat(byteOffset(input, exception.startOffset()))
                          .as(
                              "error start of %s (Prometheus: %s; ours: %s)",
                              input, entry.get("error"), exception.getMessage())
                          .isEqualTo(start.asInt());
                    }
                    JsonNode contains = entry.get("error_contains");
                    if (contains != null && !contains.isNull()) {
                      assertThat(exception.getMessage()).isNotBlank();
                    }
                  });
            });
  }

  private static PromQLParseException parseFailure(String input, ParserOptions options) {
    return catchThrowableOfType(PromQLParseException.class, () -> PromQL.parse(input, options));
  }

  private static int byteOffset(String input, int charOffset) {
    return input.substring(0, charOffset).getBytes(StandardCharsets.UTF_8).length;
  }

  /** The input as a Java string; invalid UTF-8 bytes become U+FFFD, as Go's lexer sees them. */
  private static String input(JsonNode entry) {
    JsonNode input = entry.get("in");
    if (input != null && !input.isNull()) {
      return input.asText();
    }
    byte[] bytes = HexFormat.of().parseHex(entry.get("in_hex").asText());
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String abbreviate(String input) {
    String oneLine = input.replace("\n", "\\n");
    return oneLine.length() > 120 ? oneLine.substring(0, 117) + "..." : oneLine;
  }

  private static List<JsonNode> read(Path file) {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      List<JsonNode> entries = new ArrayList<>();
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.isBlank()) {
          entries.add(JSON.readTree(line));
        }
      }
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isSkipped(String file, String input) {
    Set<String> skipped = SKIPS.getOrDefault(file, Set.of());
    return skipped.contains(input) || skipped.contains("sha256:" + sha256(input));
  }

  private static String sha256(String input) {
    try {
      return HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(input.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads {@code conformance-skips.txt}: lines of {@code file<TAB>input<TAB>reason}, where the
   * input is a JSON string, or {@code sha256:<hex>} of its UTF-8 bytes for very long inputs; {@code
   * #} starts a comment.
   */
  private static Map<String, Set<String>> readSkips() {
    Map<String, Set<String>> skips = new HashMap<>();
    try (InputStream stream =
        ParserConformanceTest.class.getResourceAsStream("/conformance-skips.txt")) {
      Objects.requireNonNull(stream, "conformance-skips.txt is missing");
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] fields = line.split("\t");
        if (fields.length != 3 || fields[2].isBlank()) {
          throw new IllegalStateException("a skip needs a file, an input and a reason: " + line);
        }
        String input =
            fields[1].startsWith("sha256:") ? fields[1] : JSON.readValue(fields[1], String.class);
        skips.computeIfAbsent(fields[0], file -> new LinkedHashSet<>()).add(input);
      }
      return skips;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
