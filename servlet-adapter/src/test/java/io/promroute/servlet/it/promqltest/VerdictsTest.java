package io.promroute.servlet.it.promqltest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.promroute.servlet.it.PromApi;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.promqltest.TestScript.Eval;
import io.promroute.servlet.it.promqltest.TestScript.Expected;
import io.promroute.servlet.it.promqltest.TestScript.Kind;
import io.promroute.servlet.it.promqltest.Verdicts.Status;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The comparison of a router's answer with the global server's, on hand-made answers. */
class VerdictsTest {

  private static Answer answer(int status, String json) {
    try {
      return new Answer(status, "application/json", PromApi.JSON.readTree(json), "", json.length());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static Answer vector(String... elements) {
    return answer(
        200,
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + String.join(",", elements)
            + "]}}");
  }

  private static final String A1 =
      "{\"metric\":{\"cluster\":\"a\",\"x\":\"1\"},\"value\":[60,\"1\"]}";
  private static final String B2 =
      "{\"metric\":{\"cluster\":\"b\",\"x\":\"2\"},\"value\":[60,\"2\"]}";

  @Test
  void seriesOrderMattersOnlyWhenOrdered() {
    assertThat(Verdicts.compare("instant", vector(A1, B2), vector(B2, A1), false).status())
        .isEqualTo(Status.PASSED);
    assertThat(Verdicts.compare("instant", vector(A1, B2), vector(B2, A1), true).status())
        .isEqualTo(Status.MISMATCHED);
  }

  @Test
  void valuesWithinTheToleranceOfPerShardPartialsPass() {
    String close =
        "{\"metric\":{\"cluster\":\"a\",\"x\":\"1\"},\"value\":[60,\"1.0000000000000002\"]}";
    assertThat(Verdicts.compare("instant", vector(A1), vector(close), false).status())
        .isEqualTo(Status.PASSED);
  }

  @Test
  void valuesFartherApartThanTheToleranceAreAMismatch() {
    String far = "{\"metric\":{\"cluster\":\"a\",\"x\":\"1\"},\"value\":[60,\"1.000001\"]}";
    Verdicts.Verdict verdict = Verdicts.compare("instant", vector(A1), vector(far), false);
    assertThat(verdict.status()).isEqualTo(Status.MISMATCHED);
    assertThat(verdict.detail()).contains("1.000001");
  }

  @Test
  void aMissingShardLabelIsAMismatch() {
    String unlabelled = "{\"metric\":{\"x\":\"1\"},\"value\":[60,\"1\"]}";
    assertThat(Verdicts.compare("instant", vector(A1), vector(unlabelled), false).status())
        .isEqualTo(Status.MISMATCHED);
  }

  @Test
  void warningsAreNotCompared() {
    Answer withWarning =
        answer(
            200,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + A1
                + "]},\"warnings\":[\"w\"]}");
    assertThat(Verdicts.compare("instant", vector(A1), withWarning, false).status())
        .isEqualTo(Status.PASSED);
  }

  @Test
  void failuresMustAgreeOnStatusAndType() {
    Answer execution =
        answer(
            422,
            "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"many-to-many matching\"}");
    Answer otherMessage =
        answer(
            422,
            "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"shard a: many-to-many\"}");
    Answer badData =
        answer(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"nope\"}");
    assertThat(Verdicts.compare("instant", execution, otherMessage, false).status())
        .isEqualTo(Status.PASSED);
    assertThat(Verdicts.compare("instant", execution, badData, false).status())
        .isEqualTo(Status.MISMATCHED);
    assertThat(Verdicts.compare("instant", vector(A1), execution, false).status())
        .isEqualTo(Status.MISMATCHED);
    assertThat(Verdicts.compare("instant", execution, vector(A1), false).status())
        .isEqualTo(Status.MISMATCHED);
  }

  @Test
  void deliberateRefusalsAreTheirOwnVerdict() {
    Answer refusal =
        answer(
            400,
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"query \\\"sum(x)\\\" combines series"
                + " of several shards (a, b, c): sum drops label \\\"cluster\\\"; merging across shards is not supported yet: select one\"}");
    Verdicts.Verdict verdict = Verdicts.compare("range", vector(A1), refusal, false);
    assertThat(verdict.status()).isEqualTo(Status.REFUSED);
    assertThat(verdict.detail())
        .isEqualTo("cross-shard merge not supported yet: sum drops label \"cluster\"");

    Answer notShardable =
        answer(
            400,
            "{\"status\":\"error\",\"errorType\":\"bad_data\","
                + "\"error\":\"query cannot be answered by the shards alone: it reads \\\"cluster\\\". Aggregate both sides\"}");
    assertThat(Verdicts.refusalReason(notShardable))
        .isEqualTo("not shardable: it reads \"cluster\"");
    // A 5xx is never a refusal.
    Answer internal =
        answer(
            500,
            "{\"status\":\"error\",\"errorType\":\"internal\",\"error\":\"merging across shards is not supported yet\"}");
    assertThat(Verdicts.compare("instant", vector(A1), internal, false).status())
        .isEqualTo(Status.MISMATCHED);
  }

  @Test
  void globalVersusScriptIgnoresTheShardLabel() {
    Eval eval =
        new Eval(
            "f.test:1",
            1,
            Kind.INSTANT,
            60_000,
            "x",
            List.of(
                new Expected(new TreeMap<>(Map.of("x", "1")), 1.0000001),
                new Expected(new TreeMap<>(Map.of("x", "2")), 2)));
    assertThat(Verdicts.globalVersusScript(eval, vector(B2, A1))).isNull();
    Eval wrong =
        new Eval(
            "f.test:1",
            1,
            Kind.INSTANT,
            60_000,
            "x",
            List.of(new Expected(new TreeMap<>(Map.of("x", "1")), 5)));
    assertThat(Verdicts.globalVersusScript(wrong, vector(A1))).startsWith("no series {x=1} 5.0");
    Eval fails = new Eval("f.test:1", 1, Kind.FAIL, 60_000, "x", List.of());
    assertThat(Verdicts.globalVersusScript(fails, vector(A1)))
        .startsWith("the script expects a failure");
  }
}
