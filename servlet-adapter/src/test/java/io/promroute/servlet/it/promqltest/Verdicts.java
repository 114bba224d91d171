package io.promroute.servlet.it.promqltest;

import com.fasterxml.jackson.databind.JsonNode;
import io.promroute.servlet.it.PromApi;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.promqltest.TestScript.Eval;
import io.promroute.servlet.it.promqltest.TestScript.Expected;
import io.promroute.servlet.it.promqltest.TestScript.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Compares the router's answer with the global server's, and the global's with the script. */
final class Verdicts {

  /** What the router answers when a query needs a cross-shard merge it does not do yet. */
  static final String CROSS_SHARD_REFUSAL = "merging across shards is not supported yet";

  /** What the router answers when only a cross-shard evaluation could answer the query. */
  static final String NOT_SHARDABLE_REFUSAL = "query cannot be answered by the shards alone: ";

  /** The detail of a pass on an empty result (it proves less). */
  static final String EMPTY = "empty result";

  private static final Pattern REFUSAL_REASON =
      Pattern.compile("combines series of several shards \\([^)]*\\)(?:: (.*?))?; merging");

  private Verdicts() {}

  /** How far a value merged from per-shard partials may be from Prometheus's, relatively. */
  static final double PARTIALS_TOLERANCE = 1e-9;

  enum Status {
    PASSED,
    REFUSED,
    UNREACHABLE,
    MISMATCHED
  }

  /**
   * The verdict on one request ({@code instant} or {@code range}).
   *
   * @param detail the refusal or unreachability reason, or the difference
   */
  record Verdict(String mode, Status status, String detail) {}

  /**
   * Compares the two answers to one request: equal status and, on success, equal {@code status} and
   * {@code data} (series sorted by labels unless {@code ordered}); on failure, equal HTTP status
   * and {@code errorType}. A deliberate refusal by the router is its own verdict.
   */
  static Verdict compare(String mode, Answer global, Answer router, boolean ordered) {
    String refusal = refusalReason(router);
    if (refusal != null) {
      return new Verdict(mode, Status.REFUSED, refusal);
    }
    if (global.status() != 200 || router.status() != 200) {
      if (global.status() == router.status()
          && Objects.equals(global.errorType(), router.errorType())) {
        return new Verdict(mode, Status.PASSED, "both fail: " + global.errorType());
      }
      return new Verdict(
          mode,
          Status.MISMATCHED,
          "global: " + global.summary() + "\n    router: " + router.summary());
    }
    JsonNode expected = PromApi.comparable(global.json(), ordered);
    JsonNode actual = PromApi.comparable(router.json(), ordered);
    String difference = PromApi.firstDifference(expected.get("status"), actual.get("status"));
    if (difference == null) {
      // The router merges per-shard partial aggregates (its default): the last bits may differ.
      difference =
          PromApi.firstDifference(expected.get("data"), actual.get("data"), PARTIALS_TOLERANCE);
    }
    if (difference == null) {
      JsonNode result = expected.path("data").path("result");
      return new Verdict(mode, Status.PASSED, result.isArray() && result.isEmpty() ? EMPTY : "");
    }
    return new Verdict(
        mode,
        Status.MISMATCHED,
        difference + "\n    global: " + global.summary() + "\n    router: " + router.summary());
  }

  /**
   * The router's reason for a deliberate refusal (HTTP 4xx: a cross-shard merge it does not do yet,
   * or a query it says the shards alone cannot answer), or {@code null}.
   */
  static String refusalReason(Answer router) {
    if (router.status() < 400 || router.status() >= 500 || router.error() == null) {
      return null;
    }
    String error = router.error();
    int notShardable = error.indexOf(NOT_SHARDABLE_REFUSAL);
    if (notShardable >= 0) {
      // The first sentence names the reason; the rest advises the user.
      String reason = error.substring(notShardable + NOT_SHARDABLE_REFUSAL.length());
      int end = reason.indexOf(". ");
      return "not shardable: " + (end < 0 ? reason : reason.substring(0, end));
    }
    if (!error.contains(CROSS_SHARD_REFUSAL)) {
      return null;
    }
    Matcher matcher = REFUSAL_REASON.matcher(error);
    if (matcher.find() && matcher.group(1) != null) {
      return "cross-shard merge not supported yet: " + matcher.group(1);
    }
    return "cross-shard merge not supported yet";
  }

  /**
   * Whether the global server's instant answer, without the shard label, is what the script expects
   * (Go harness rules: labels exact, values within a relative 1e-6). Information only: a global
   * server with the shard label legitimately differs for queries that group by every label ({@code
   * sum without (instance)}) or count series per label set. Returns {@code null} when they agree,
   * else the difference.
   */
  static String globalVersusScript(Eval eval, Answer global) {
    if (eval.kind() == Kind.FAIL) {
      return global.status() == 200
          ? "the script expects a failure, the global server answers " + global.summary()
          : null;
    }
    if (global.status() != 200) {
      return "the global server fails: " + global.summary();
    }
    JsonNode data = global.data();
    String resultType = data.path("resultType").asText();
    if (eval.expectedScalar().isPresent()) {
      if (!resultType.equals("scalar")) {
        return "expected a scalar, got " + resultType;
      }
      double value = value(data.path("result").get(1).asText());
      return almostEqual(eval.expectedScalar().getAsDouble(), value)
          ? null
          : "expected " + eval.expectedScalar().getAsDouble() + ", got " + value;
    }
    if (!resultType.equals("vector")) {
      return eval.expected().isEmpty()
              && resultType.equals("matrix")
              && data.path("result").isEmpty()
          ? null
          : "expected a vector, got " + resultType;
    }
    List<Map.Entry<SortedMap<String, String>, Double>> actual = new ArrayList<>();
    for (JsonNode element : data.path("result")) {
      SortedMap<String, String> labels = new TreeMap<>();
      element
          .path("metric")
          .properties()
          .forEach(label -> labels.put(label.getKey(), label.getValue().asText()));
      labels.remove(io.promroute.servlet.it.PrometheusFixture.SHARD_LABEL);
      actual.add(Map.entry(labels, value(element.path("value").get(1).asText())));
    }
    List<Expected> expected = eval.expected();
    if (actual.size() != expected.size()) {
      return "expected "
          + expected.size()
          + " series, got "
          + actual.size()
          + ": "
          + global.summary();
    }
    List<Map.Entry<SortedMap<String, String>, Double>> unmatched = new ArrayList<>(actual);
    for (int i = 0; i < expected.size(); i++) {
      Expected one = expected.get(i);
      if (eval.kind() == Kind.ORDERED) {
        Map.Entry<SortedMap<String, String>, Double> got = actual.get(i);
        if (!got.getKey().equals(one.labels()) || !almostEqual(one.value(), got.getValue())) {
          return "series "
              + i
              + ": expected "
              + one.labels()
              + " "
              + one.value()
              + ", got "
              + got.getKey()
              + " "
              + got.getValue();
        }
        continue;
      }
      boolean found = false;
      for (int j = 0; j < unmatched.size(); j++) {
        if (unmatched.get(j).getKey().equals(one.labels())
            && almostEqual(one.value(), unmatched.get(j).getValue())) {
          unmatched.remove(j);
          found = true;
          break;
        }
      }
      if (!found) {
        return "no series " + one.labels() + " " + one.value() + " in " + global.summary();
      }
    }
    return null;
  }

  private static double value(String text) {
    return TestScript.parseNumber(text);
  }

  /** The Go harness's comparison: NaN equals NaN, else a relative difference below 1e-6. */
  static boolean almostEqual(double a, double b) {
    if (Double.isNaN(a) && Double.isNaN(b)) {
      return true;
    }
    if (a == b) {
      return true;
    }
    double difference = Math.abs(a - b);
    if (a == 0 || b == 0 || difference < Double.MIN_NORMAL) {
      return difference < 1e-6 * Double.MIN_NORMAL;
    }
    return difference / (Math.abs(a) + Math.abs(b)) < 1e-6;
  }
}
