package io.promroute.servlet.it.promqltest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.promroute.servlet.it.PromApi;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import io.promroute.servlet.it.PrometheusFixture;
import io.promroute.servlet.it.promqltest.TestScript.Eval;
import io.promroute.servlet.it.promqltest.TestScript.Kind;
import io.promroute.servlet.it.promqltest.TestScript.Segment;
import io.promroute.servlet.it.promqltest.Verdicts.Status;
import io.promroute.servlet.it.promqltest.Verdicts.Verdict;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Prometheus v2.42.0's own PromQL engine tests ({@code
 * shared/conformance/promqltest/v2.42.0/*.test}, 566 evals) through the router over three shards,
 * against one global Prometheus.
 *
 * <p>Per segment of a script ({@link TestScript}): every series goes to shard {@code a}, {@code b}
 * or {@code c} by a stable hash of its label set, the global server holds every series with {@code
 * cluster="<shard>"} ({@link SegmentServers}). Every eval is sent as an instant query at its time
 * and as a short range query ending there (start {@code t - k·15s}, {@code k ≤ 4} so it starts no
 * earlier than 0, step 15s), to the router and to the global server; the answers must be equal
 * ({@link Verdicts#compare}).
 *
 * <p>Verdicts: passed; refused by the router (a deliberate 4xx "not supported yet": allowed,
 * counted and listed); unreachable (the data cannot be loaded, e.g. native histogram samples:
 * allowed only if listed with its reason in {@code promqltest-known-gaps.txt}); mismatched (a wrong
 * answer: the test fails). The report goes to {@code target/promqltest-report.txt} and, in short,
 * to the output.
 *
 * <p>The scripts' directory: system property {@code promql.conformance.dir} (the {@code
 * shared/conformance} directory), else a {@code shared/conformance} beside a parent of the working
 * directory. Without it, or without {@code prometheus}/{@code promtool}, the test is skipped, and
 * fails when {@code CI=true}. System property {@code promqltest.files} (comma-separated names, e.g.
 * {@code aggregators.test}) runs a subset.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PromqlEngineTestsThroughRouterTest {

  static final String VERSION = "v2.42.0";
  static final String KNOWN_GAPS = "promqltest-known-gaps.txt";
  static final Path REPORT = Path.of("target", "promqltest-report.txt");

  private static final long STEP_MILLIS = 15_000;
  private static final int RANGE_STEPS = 4;

  /**
   * {@code -Dpromqltest.trace=true}: each eval's id on stderr before its requests (to match router
   * logs).
   */
  private static final boolean TRACE = Boolean.getBoolean("promqltest.trace");

  private static final Pattern SORTS = Pattern.compile("\\bsort(_desc)?\\s*\\(");

  /** An eval's verdicts (instant, range), or its unreachability. */
  record Outcome(Eval eval, Status status, List<Verdict> verdicts, String globalVersusScript) {

    String reasons() {
      return verdicts.stream()
          .filter(verdict -> verdict.status() == status)
          .map(verdict -> verdict.mode() + ": " + verdict.detail())
          .collect(Collectors.joining("\n  "));
    }
  }

  private final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
  private final List<String> setupFailures = Collections.synchronizedList(new ArrayList<>());
  private Map<String, String> knownGaps;
  private Set<String> filesRun;
  private Path prometheus;
  private Path promtool;
  private long begin;

  @BeforeAll
  void requirements() throws IOException {
    Optional<Path[]> binaries = PrometheusFixture.binaries();
    if (binaries.isEmpty()) {
      skipOrFail(PrometheusFixture.INSTALL_HINT);
    }
    prometheus = binaries.get()[0];
    promtool = binaries.get()[1];
    if (scriptDirectory().isEmpty()) {
      skipOrFail(
          "the PromQL engine test scripts (shared/conformance/promqltest/"
              + VERSION
              + ") are not found: set -Dpromql.conformance.dir=<shared/conformance>");
    }
    knownGaps = readKnownGaps();
    begin = System.nanoTime();
  }

  private static void skipOrFail(String message) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true and " + message);
    }
    System.err.println("WARNING: skipping PromqlEngineTestsThroughRouterTest: " + message);
    Assumptions.abort("skipped: " + message);
  }

  /** {@code <conformance>/promqltest/v2.42.0}, if found. */
  static Optional<Path> scriptDirectory() {
    String property = System.getProperty("promql.conformance.dir");
    if (property != null) {
      return Optional.of(Path.of(property, "promqltest", VERSION)).filter(Files::isDirectory);
    }
    for (Path directory = Path.of("").toAbsolutePath();
        directory != null;
        directory = directory.getParent()) {
      Path candidate = directory.resolve(Path.of("shared", "conformance", "promqltest", VERSION));
      if (Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The selected scripts, in name order. */
  static List<Path> scripts() throws IOException {
    Path directory =
        scriptDirectory().orElseThrow(() -> new IllegalStateException("no script directory"));
    Set<String> selected =
        Optional.ofNullable(System.getProperty("promqltest.files"))
            .filter(value -> !value.isBlank())
            .map(value -> Set.copyOf(Arrays.asList(value.split("\\s*,\\s*"))))
            .orElse(null);
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .filter(file -> file.getFileName().toString().endsWith(".test"))
          .filter(file -> selected == null || selected.contains(file.getFileName().toString()))
          .sorted()
          .toList();
    }
  }

  /** Every segment of every script (for the reader's test: no selection). */
  static List<Segment> allSegments() throws IOException {
    Path directory = scriptDirectory().orElse(null);
    Assumptions.assumeTrue(directory != null, "the PromQL engine test scripts are not found");
    List<Segment> segments = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file :
          files.filter(f -> f.getFileName().toString().endsWith(".test")).sorted().toList()) {
        segments.addAll(TestScript.read(file));
      }
    }
    return segments;
  }

  /** {@code <id> <reason>} per line; {@code #} comments. */
  static Map<String, String> readKnownGaps() throws IOException {
    Map<String, String> gaps = new TreeMap<>();
    try (InputStream in =
        PromqlEngineTestsThroughRouterTest.class.getResourceAsStream("/" + KNOWN_GAPS)) {
      if (in == null) {
        throw new IllegalStateException(KNOWN_GAPS + " is missing from the test resources");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        String[] idAndReason = trimmed.split("\\s+", 2);
        if (idAndReason.length < 2) {
          throw new IllegalStateException(
              KNOWN_GAPS + ": a line is an eval id and a reason: " + line);
        }
        gaps.put(idAndReason[0], idAndReason[1]);
      }
    }
    return gaps;
  }

  @TestFactory
  @Order(1)
  Stream<DynamicNode> engineTests() throws IOException {
    List<Path> scripts = scripts();
    filesRun =
        scripts.stream()
            .map(file -> file.getFileName().toString())
            .collect(Collectors.toUnmodifiableSet());
    List<DynamicNode> files = new ArrayList<>();
    for (Path script : scripts) {
      List<Segment> segments = TestScript.read(script);
      files.add(
          DynamicContainer.dynamicContainer(
              script.getFileName().toString(),
              script.toUri(),
              segments.stream()
                  .map(
                      segment ->
                          DynamicContainer.dynamicContainer(
                              "segment "
                                  + segment.number()
                                  + " (line "
                                  + segment.line()
                                  + ", "
                                  + segment.series().size()
                                  + " series)",
                              // Lazy: the servers start when JUnit reaches the segment, and stop
                              // before the next one.
                              Stream.of(segment).flatMap(this::runSegment)))));
    }
    return files.stream();
  }

  /** Runs every eval of the segment, then gives one dynamic test per eval asserting its verdict. */
  private Stream<DynamicNode> runSegment(Segment segment) {
    List<Outcome> results = new ArrayList<>();
    String unreachable = segment.unreachable();
    if (unreachable != null) {
      for (Eval eval : segment.evals()) {
        results.add(
            new Outcome(
                eval,
                Status.UNREACHABLE,
                List.of(new Verdict("data", Status.UNREACHABLE, unreachable)),
                null));
      }
    } else {
      try (SegmentServers servers = SegmentServers.start(segment, prometheus, promtool)) {
        for (Eval eval : segment.evals()) {
          try {
            results.add(run(eval, servers));
          } catch (RuntimeException e) {
            // An answer that cannot be read (e.g. a truncated body) is a wrong answer, not a lost
            // segment.
            results.add(
                new Outcome(
                    eval,
                    Status.MISMATCHED,
                    List.of(new Verdict("request", Status.MISMATCHED, e.toString())),
                    null));
          }
        }
      } catch (Exception e) {
        setupFailures.add(segment + ": " + e);
        return Stream.of(
            DynamicTest.dynamicTest(
                "servers of " + segment, () -> fail("could not run " + segment, e)));
      }
    }
    outcomes.addAll(results);
    return results.stream()
        .map(outcome -> DynamicTest.dynamicTest(displayName(outcome.eval()), () -> check(outcome)));
  }

  private static String displayName(Eval eval) {
    String kind =
        switch (eval.kind()) {
          case INSTANT -> "eval";
          case FAIL -> "eval_fail";
          case ORDERED -> "eval_ordered";
        };
    return "line "
        + eval.line()
        + ": "
        + kind
        + " at "
        + SegmentServers.seconds(eval.timeMillis())
        + "s "
        + eval.query();
  }

  private Outcome run(Eval eval, SegmentServers servers) {
    String time = SegmentServers.seconds(eval.timeMillis());
    Params instant = Params.of("query", eval.query(), "time", time);
    long steps = Math.min(RANGE_STEPS, eval.timeMillis() / STEP_MILLIS);
    Params range =
        Params.of(
            "query",
            eval.query(),
            "start",
            SegmentServers.seconds(eval.timeMillis() - steps * STEP_MILLIS),
            "end",
            time,
            "step",
            Long.toString(STEP_MILLIS / 1000));
    boolean ordered = eval.kind() == Kind.ORDERED || SORTS.matcher(eval.query()).find();

    if (TRACE) {
      System.err.println("promqltest: " + eval.id() + " " + eval.query());
    }
    Answer globalInstant = PromApi.get(servers.global(), "/api/v1/query", instant);
    Answer routerInstant = PromApi.get(servers.router(), "/api/v1/query", instant);
    Answer globalRange = PromApi.get(servers.global(), "/api/v1/query_range", range);
    Answer routerRange = PromApi.get(servers.router(), "/api/v1/query_range", range);
    List<Verdict> verdicts =
        List.of(
            Verdicts.compare("instant", globalInstant, routerInstant, ordered),
            Verdicts.compare("range", globalRange, routerRange, false));
    Status status =
        verdicts.stream().anyMatch(v -> v.status() == Status.MISMATCHED)
            ? Status.MISMATCHED
            : verdicts.stream().anyMatch(v -> v.status() == Status.REFUSED)
                ? Status.REFUSED
                : Status.PASSED;
    return new Outcome(eval, status, verdicts, Verdicts.globalVersusScript(eval, globalInstant));
  }

  private void check(Outcome outcome) {
    Eval eval = outcome.eval();
    switch (outcome.status()) {
      case PASSED ->
          assertThat(outcome.verdicts()).allMatch(verdict -> verdict.status() == Status.PASSED);
      case REFUSED ->
          Assumptions.abort("refused by the router (allowed, counted): " + outcome.reasons());
      case UNREACHABLE -> {
        assertThat(knownGaps)
            .as(
                "%s is unreachable (%s) but not listed in %s with its reason",
                eval.id(), outcome.reasons(), KNOWN_GAPS)
            .containsKey(eval.id());
        Assumptions.abort(
            "unreachable (listed in " + KNOWN_GAPS + "): " + knownGaps.get(eval.id()));
      }
      case MISMATCHED ->
          fail(
              "the router's answer differs from the global server's for "
                  + eval.id()
                  + " "
                  + eval.query()
                  + "\n  "
                  + outcome.reasons());
    }
  }

  /** Writes the report; every listed gap of the files run must still be unreachable. */
  @Test
  @Order(2)
  void report() throws IOException {
    Assumptions.assumeTrue(filesRun != null, "the engine tests did not run");
    String report = report(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin));
    Files.createDirectories(REPORT.getParent());
    Files.writeString(REPORT, report, StandardCharsets.UTF_8);
    System.out.println(
        report.substring(0, report.indexOf("\n\n"))
            + "\n(full report: "
            + REPORT.toAbsolutePath()
            + ")");

    Set<String> unreachable =
        outcomes.stream()
            .filter(outcome -> outcome.status() == Status.UNREACHABLE)
            .map(outcome -> outcome.eval().id())
            .collect(Collectors.toSet());
    List<String> stale =
        knownGaps.keySet().stream()
            .filter(id -> filesRun.contains(id.substring(0, id.indexOf(':'))))
            .filter(id -> !unreachable.contains(id))
            .toList();
    assertThat(stale)
        .as("entries of %s that are no longer unreachable: remove them", KNOWN_GAPS)
        .isEmpty();
    assertThat(setupFailures).as("segments whose servers could not run").isEmpty();
  }

  private String report(long seconds) {
    List<Outcome> all = new ArrayList<>(outcomes);
    Map<Status, List<Outcome>> byStatus = new LinkedHashMap<>();
    for (Status status : Status.values()) {
      byStatus.put(status, all.stream().filter(outcome -> outcome.status() == status).toList());
    }
    StringBuilder out = new StringBuilder();
    out.append("PromQL engine tests (Prometheus ")
        .append(VERSION)
        .append(") through the router over 3 shards vs one global Prometheus\n");
    out.append("files: ").append(String.join(", ", new java.util.TreeSet<>(filesRun))).append('\n');
    out.append("evals: ")
        .append(all.size())
        .append(" (each as an instant and a range query), run time ")
        .append(seconds)
        .append(" s\n");
    List<Outcome> passed = byStatus.get(Status.PASSED);
    long empty =
        passed.stream()
            .filter(
                outcome ->
                    outcome.verdicts().stream()
                        .allMatch(verdict -> verdict.detail().equals(Verdicts.EMPTY)))
            .count();
    long bothFail =
        passed.stream()
            .filter(outcome -> outcome.verdicts().get(0).detail().startsWith("both fail"))
            .count();
    out.append("passed: ")
        .append(passed.size())
        .append(" (")
        .append(empty)
        .append(" with an empty result in both modes, ")
        .append(bothFail)
        .append(" where both fail as an instant query)\n");
    out.append("refused by the router: ").append(byStatus.get(Status.REFUSED).size()).append('\n');
    appendCounts(out, byStatus.get(Status.REFUSED), Status.REFUSED);
    out.append("unreachable: ").append(byStatus.get(Status.UNREACHABLE).size()).append('\n');
    appendCounts(out, byStatus.get(Status.UNREACHABLE), Status.UNREACHABLE);
    out.append("mismatched: ").append(byStatus.get(Status.MISMATCHED).size()).append('\n');
    if (!setupFailures.isEmpty()) {
      out.append("segments that could not run: ").append(setupFailures.size()).append('\n');
    }
    long disagreements =
        all.stream().filter(outcome -> outcome.globalVersusScript() != null).count();
    long checked = all.stream().filter(outcome -> outcome.status() != Status.UNREACHABLE).count();
    out.append("global server vs the scripts' expected values (information): ")
        .append(checked - disagreements)
        .append(" agree, ")
        .append(disagreements)
        .append(" differ\n");
    out.append("per file (passed / refused / unreachable / mismatched):\n");
    Map<String, int[]> perFile = new TreeMap<>();
    for (Outcome outcome : all) {
      String file = outcome.eval().id().substring(0, outcome.eval().id().indexOf(':'));
      perFile
          .computeIfAbsent(file, key -> new int[Status.values().length])[
          outcome.status().ordinal()]++;
    }
    perFile.forEach(
        (file, counts) ->
            out.append(
                String.format(
                    "  %-22s %4d %4d %4d %4d%n",
                    file, counts[0], counts[1], counts[2], counts[3])));
    out.append('\n');

    for (String failure : setupFailures) {
      out.append("== could not run: ").append(failure).append('\n');
    }
    for (Status status : List.of(Status.MISMATCHED, Status.REFUSED, Status.UNREACHABLE)) {
      out.append("== ").append(status.name().toLowerCase(java.util.Locale.ROOT)).append('\n');
      for (Outcome outcome : byStatus.get(status)) {
        out.append(outcome.eval().id())
            .append(' ')
            .append(outcome.eval().query())
            .append("\n  ")
            .append(outcome.reasons())
            .append('\n');
      }
      out.append('\n');
    }
    out.append(
        "== global server vs the scripts' expected values (information; the shard label is removed first)\n");
    for (Outcome outcome : all) {
      if (outcome.globalVersusScript() != null) {
        out.append(outcome.eval().id())
            .append(' ')
            .append(outcome.eval().query())
            .append("\n  ")
            .append(outcome.globalVersusScript())
            .append('\n');
      }
    }
    return out.toString();
  }

  private static void appendCounts(StringBuilder out, List<Outcome> outcomes, Status status) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Outcome outcome : outcomes) {
      outcome.verdicts().stream()
          .filter(verdict -> verdict.status() == status)
          .map(Verdict::detail)
          .distinct()
          .forEach(reason -> counts.merge(reason, 1, Integer::sum));
    }
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(
            entry -> out.append(String.format("  %4d  %s%n", entry.getValue(), entry.getKey())));
  }
}
