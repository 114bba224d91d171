package io.promroute.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The byte-level copy behind {@link ResponseTransformer#addShardLabel}. */
class ShardAnswerCopyTest {

  private static String copy(Endpoint endpoint, String json, String value, String... warnings)
      throws IOException {
    return copy(
        endpoint, new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), value, warnings);
  }

  private static String copy(Endpoint endpoint, InputStream in, String value, String... warnings)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ResponseTransformer.addShardLabel(endpoint, in, out, "cluster", value, List.of(warnings));
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Hands out at most {@code step} bytes per read, so every token meets a buffer boundary
   * somewhere.
   */
  private static InputStream trickling(String json, int step) {
    return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)) {
      @Override
      public synchronized int read(byte[] buffer, int offset, int length) {
        return super.read(buffer, offset, Math.min(length, step));
      }
    };
  }

  @Test
  void whiteSpaceBetweenTokensIsDroppedOnThePathAndKeptInsideCopiedValues() throws IOException {
    String shard =
        "{ \"status\" : \"success\" ,\n \"data\" : { \"resultType\" : \"vector\" , \"result\" : [ "
            + "{ \"metric\" : { \"job\" : \"x\" } , \"value\" : [ 1 , \"2\" ] } ] } }";
    assertThat(copy(Endpoint.QUERY, shard, "a"))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"cluster\":\"a\",\"job\":\"x\"},\"value\":[ 1 , \"2\" ]}]}}");
  }

  @Test
  void stringsWithBracketsQuotesAndEscapesPassUnchanged() throws IOException {
    String shard =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            + "{\"metric\":{\"a\\\"b\":\"}]\\\\\",\"zz\":\"[{\\u003c\"},\"values\":[[1,\"NaN\"],[2,\"+Inf\"]]}]}}";
    assertThat(copy(Endpoint.QUERY_RANGE, shard, "c"))
        .isEqualTo(
            shard
                .replace("{\"a\\\"b\"", "{\"a\\\"b\"")
                .replace(",\"zz\"", ",\"cluster\":\"c\",\"zz\""));
  }

  @Test
  void anEscapeBeforeAQuoteOrBracketDoesNotEndTheStringOrTheArray() throws IOException {
    String shard =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"\\n\\\"]\\\\\"]},"
            + "\"warnings\":[\"a\\\"}\"]}";
    assertThat(copy(Endpoint.QUERY, shard, "a", "w"))
        .isEqualTo(shard.replace("}\"]}", "}\",\"w\"]}"));
  }

  @Test
  void escapedLabelNamesAreComparedDecoded() throws IOException {
    // "\u0063lz" is "clz", which sorts after "cluster"; "\u0061" is "a", before it.
    String shard = "{\"status\":\"success\",\"data\":[{\"\\u0061\":\"1\",\"\\u0063lz\":\"2\"}]}";
    assertThat(copy(Endpoint.SERIES, shard, "b"))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":[{\"\\u0061\":\"1\",\"cluster\":\"b\",\"\\u0063lz\":\"2\"}]}");
  }

  @Test
  void theLabelValueIsEscapedAsGoEscapesIt() throws IOException {
    String shard = "{\"status\":\"success\",\"data\":[{}]}";
    assertThat(copy(Endpoint.SERIES, shard, "a<b\""))
        .isEqualTo("{\"status\":\"success\",\"data\":[{\"cluster\":\"a\\u003cb\\\"\"}]}");
  }

  @Test
  void everyBufferBoundaryGivesTheSameAnswer() throws IOException {
    StringBuilder shard =
        new StringBuilder(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
    for (int i = 0; i < 300; i++) {
      shard
          .append(i == 0 ? "" : ",")
          .append("{\"metric\":{\"__name__\":\"m\",\"instance\":\"node-")
          .append(i)
          .append("\\\"x\"},\"values\":[[1700000000,\"")
          .append(i)
          .append("\"],[1700000015.5,\"1e-7\"]]}");
    }
    shard.append("]},\"warnings\":[\"shard warning\"]}");
    String whole = copy(Endpoint.QUERY_RANGE, shard.toString(), "a", "router warning");
    assertThat(whole.split("\"cluster\":\"a\"", -1)).hasSize(301);
    assertThat(whole).endsWith("]},\"warnings\":[\"shard warning\",\"router warning\"]}");
    for (int step : new int[] {1, 2, 3, 7, 64, 1000}) {
      assertThat(
              copy(Endpoint.QUERY_RANGE, trickling(shard.toString(), step), "a", "router warning"))
          .as("read %d bytes at a time", step)
          .isEqualTo(whole);
    }
  }

  @Test
  void warningsGoIntoAnEmptyWarningsArray() throws IOException {
    assertThat(
            copy(
                Endpoint.LABELS, "{\"status\":\"success\",\"data\":[],\"warnings\":[ ]}", "a", "w"))
        .isEqualTo("{\"status\":\"success\",\"data\":[],\"warnings\":[\"w\"]}");
  }

  @Test
  void anAnswerWithoutStatusOrDataIsRejected() {
    assertThatThrownBy(() -> copy(Endpoint.QUERY, "{}", "a", "w"))
        .isInstanceOf(MalformedAnswerException.class);
    assertThatThrownBy(() -> copy(Endpoint.LABELS, "{\"data\":[]}", "a"))
        .isInstanceOf(MalformedAnswerException.class);
    assertThatThrownBy(() -> copy(Endpoint.LABELS, "{\"status\":\"success\"}", "a"))
        .isInstanceOf(MalformedAnswerException.class);
  }

  @Test
  void anAnswerCutShortIsRejected() {
    String shard =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[1,\"1\"],[2,";
    for (int end = 1; end < shard.length(); end++) {
      String cut = shard.substring(0, end);
      assertThatThrownBy(() -> copy(Endpoint.QUERY_RANGE, cut, "a"))
          .as("cut after %d characters: %s", end, cut)
          .isInstanceOf(
              IOException.class); // JSON that ends early, or a status or result type that does
    }
  }

  @Test
  void malformedAnswersAreRejected() {
    for (String bad :
        List.of(
            "",
            "[]",
            "not json",
            "{\"status\" \"success\"}",
            "{\"data\":{\"result\":[}]}}",
            "{\"data\":{\"result\":[{\"metric\":{\"a\":\"1\" \"b\":\"2\"}}]}}",
            "{\"a\":1 \"b\":2}")) {
      assertThatThrownBy(() -> copy(Endpoint.QUERY, bad, "a"))
          .as(bad)
          .isInstanceOf(IOException.class);
    }
  }
}
