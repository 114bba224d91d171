package io.promroute.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.promroute.promql.ast.Expr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random strings and random mutations of valid queries, with a fixed seed: the parser returns a
 * tree or throws {@link PromQLParseException}, and nothing else, ever. Bounded in time.
 */
class ParserFuzzTest {

  private static final long SEED = 0x5EED_2026_1125L;
  private static final long BUDGET_NANOS = 3_000_000_000L;

  private static final List<String> QUERIES =
      List.of(
          "sum by (job) (rate(http_requests_total{job=\"api\", code=~\"5..\"}[5m]))",
          "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
          "100 * (1 - avg by (instance) (irate(node_cpu_seconds_total{mode=\"idle\"}[1m])))",
          "a / on (x) group_left (y) b offset 5m",
          "max_over_time(rate(foo[1m])[1h:5m] @ end())",
          "topk(5, count_values without (a) (\"v\", foo))",
          "foo[5m + step()] anchored",
          "label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\")",
          "-foo ^ 2 > bool 0x1F and {\"utf8.name\"} unless bar",
          "a + fill_left(0) fill_right(-1) b",
          "time() - 1h30m",
          "`raw` # comment\n",
          "sum without () (foo offset -5m)",
          "predict_linear(foo[1h], 4 * 3600) < 0");

  private static final String[] FRAGMENTS = {
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "@",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "=",
    "==",
    "!=",
    "=~",
    "!~",
    "<",
    ">",
    "</",
    ">/",
    "\"",
    "'",
    "`",
    "#",
    "\n",
    " ",
    "\\",
    "\\u",
    "\\x",
    "0x",
    "1e",
    "1_",
    ".",
    "5m",
    "1h30m",
    "300",
    "Inf",
    "NaN",
    "sum",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "bool",
    "offset",
    "and",
    "or",
    "unless",
    "atan2",
    "rate(",
    "foo",
    "start()",
    "end()",
    "step()",
    "min_of(",
    "fill(",
    "anchored",
    "smoothed",
    "topk(",
    "\"x\"",
    "label",
    "__name__",
    "é",
    "\uD83D\uDE00",
    "\uFFFD",
    "\u0000"
  };

  @Test
  void randomInputEndsInATreeOrAParseException() throws IOException {
    Random random = new Random(SEED);
    List<String> seeds = new ArrayList<>(QUERIES);
    seeds.addAll(corpusQueries());
    long deadline = System.nanoTime() + BUDGET_NANOS;
    int runs = 0;
    int parsed = 0;
    // A count as well as a time budget: on a loaded machine the time alone may cover few inputs.
    while (runs < 500 || System.nanoTime() < deadline) {
      String input =
          random.nextInt(4) == 0
              ? randomString(random)
              : mutate(seeds.get(random.nextInt(seeds.size())), random);
      ParserOptions options =
          random.nextBoolean() ? ParserOptions.allFeatures() : ParserOptions.defaults();
      if (parseOrReject(input, options)) {
        parsed++;
      }
      runs++;
    }
    System.out.printf("fuzzed %d inputs, %d parsed%n", runs, parsed);
    assertThat(runs).isGreaterThanOrEqualTo(500);
    assertThat(parsed).as("inputs that parsed").isPositive();
  }

  /** Parses; a successful parse is deterministic. */
  private static boolean parseOrReject(String input, ParserOptions options) {
    try {
      Expr first = PromQL.parse(input, options);
      assertThat(PromQL.parse(input, options)).as("reparse of %s", input).isEqualTo(first);
      return true;
    } catch (PromQLParseException e) {
      assertThat(e.reason()).as("for input %s", input).doesNotStartWith("internal");
      assertThat(e.startOffset()).isBetween(0, input.length());
      assertThat(e.endOffset()).isBetween(e.startOffset(), input.length());
      assertThat(e.line()).isPositive();
      assertThat(e.column()).isPositive();
      return false;
    } catch (Throwable e) {
      fail("parsing " + input + " threw " + e, e);
      return false;
    }
  }

  private static String randomString(Random random) {
    StringBuilder builder = new StringBuilder();
    int pieces = 1 + random.nextInt(20);
    for (int piece = 0; piece < pieces; piece++) {
      if (random.nextInt(5) == 0) {
        builder.append((char) (32 + random.nextInt(95)));
      } else {
        builder.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
      }
    }
    return builder.toString();
  }

  private static String mutate(String query, Random random) {
    StringBuilder builder = new StringBuilder(query);
    int mutations = 1 + random.nextInt(3);
    for (int mutation = 0; mutation < mutations; mutation++) {
      int position = builder.length() == 0 ? 0 : random.nextInt(builder.length() + 1);
      switch (random.nextInt(5)) {
        case 0 -> {
          int end = Math.min(builder.length(), position + 1 + random.nextInt(4));
          builder.delete(position, end);
        }
        case 1 -> builder.insert(position, FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
        case 2 -> {
          int end = Math.min(builder.length(), position + random.nextInt(8));
          builder.insert(position, builder.substring(position, end));
        }
        case 3 -> {
          if (position < builder.length()) {
            builder.setCharAt(position, (char) (32 + random.nextInt(95)));
          }
        }
        default -> {
          if (builder.length() > 1) {
            int other = random.nextInt(builder.length());
            int index = Math.min(position, builder.length() - 1);
            char swapped = builder.charAt(index);
            builder.setCharAt(index, builder.charAt(other));
            builder.setCharAt(other, swapped);
          }
        }
      }
    }
    return builder.toString();
  }

  /** The corpus's valid inputs, when the corpus is there; the fuzz test runs without it too. */
  private static List<String> corpusQueries() throws IOException {
    String directory = System.getProperty("promql.conformance.dir");
    if (directory == null) {
      return List.of();
    }
    Path file = Path.of(directory, "parse_valid.jsonl");
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    ObjectMapper json = new ObjectMapper();
    List<String> queries = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        queries.add(json.readTree(line).get("in").asText());
      }
    }
    return queries;
  }
}
