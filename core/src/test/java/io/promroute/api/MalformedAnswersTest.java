package io.promroute.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A shard's 2xx answer that is not the Prometheus answer of its endpoint is never copied or merged:
 * every reader of shard answers refuses it, and with several shards names the shard.
 */
class MalformedAnswersTest {

  private static final String VECTOR =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"job\":\"x\"},\"value\":[1,\"1\"]}]}}";
  private static final String MATRIX =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"job\":\"x\"},\"values\":[[1,\"1\"]]}]}}";
  private static final String ERROR_IN_200 =
      "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"boom\"}";

  /** A matrix holding vector samples. */
  private static final String MATRIX_OF_VECTOR_SAMPLES =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"value\":[1,\"1\"]}]}}";

  private static final String LIST = "{\"status\":\"success\",\"data\":[\"a\",\"b\"]}";
  private static final String OBJECT_FOR_A_LIST =
      "{\"status\":\"success\",\"data\":{\"not\":\"a list\"}}";

  private static ByteArrayInputStream in(String json) {
    return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
  }

  private static void copy(Endpoint endpoint, String json) throws IOException {
    ResponseTransformer.addShardLabel(
        endpoint, in(json), new ByteArrayOutputStream(), "cluster", "a", List.of());
  }

  private static void merge(Endpoint endpoint, String good, String bad) throws IOException {
    ResponseTransformer.merge(
        endpoint,
        List.of(new ShardAnswer("a", in(good), true), new ShardAnswer("b", in(bad), true)),
        new ByteArrayOutputStream(),
        "cluster",
        List.of());
  }

  @Test
  void aStatusErrorInA200IsRefusedByEveryReader() {
    assertThatThrownBy(() -> copy(Endpoint.QUERY, ERROR_IN_200))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessage("answered \"status\":\"error\" with HTTP 2xx");
    assertThatThrownBy(() -> merge(Endpoint.QUERY, VECTOR, ERROR_IN_200))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessage("shard \"b\" answered \"status\":\"error\" with HTTP 2xx");
    assertThatThrownBy(() -> merge(Endpoint.QUERY_RANGE, MATRIX, ERROR_IN_200))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessageStartingWith("shard \"b\" ");
    assertThatThrownBy(() -> merge(Endpoint.LABELS, LIST, ERROR_IN_200))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessageStartingWith("shard \"b\" ");
    assertThatThrownBy(() -> QueryResult.read(in(ERROR_IN_200)))
        .isInstanceOf(MalformedAnswerException.class);
    assertThatThrownBy(() -> ResponseTransformer.hasData(in(ERROR_IN_200)))
        .isInstanceOf(MalformedAnswerException.class);
    assertThatThrownBy(() -> ResponseTransformer.check(Endpoint.BUILD_INFO, in(ERROR_IN_200)))
        .isInstanceOf(MalformedAnswerException.class);
  }

  @Test
  void samplesOfAnotherTypeThanTheResultAreRefused() {
    assertThatThrownBy(() -> copy(Endpoint.QUERY, MATRIX_OF_VECTOR_SAMPLES))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessage("answered a matrix holding \"value\" samples");
    assertThatThrownBy(() -> merge(Endpoint.QUERY, MATRIX, MATRIX_OF_VECTOR_SAMPLES))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessage("shard \"b\" answered a matrix holding \"value\" samples");
    assertThatThrownBy(() -> merge(Endpoint.QUERY_RANGE, MATRIX, MATRIX_OF_VECTOR_SAMPLES))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessage("shard \"b\" answered a matrix holding \"value\" samples");
    assertThatThrownBy(() -> QueryResult.read(in(MATRIX_OF_VECTOR_SAMPLES)))
        .isInstanceOf(MalformedAnswerException.class);
  }

  @Test
  void aRangeQueryAnswersOnlyAMatrix() {
    assertThatThrownBy(() -> copy(Endpoint.QUERY_RANGE, VECTOR))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessage("answered \"resultType\":\"vector\" to /api/v1/query_range");
    assertThatThrownBy(() -> merge(Endpoint.QUERY_RANGE, MATRIX, VECTOR))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessageStartingWith("shard \"b\" answered \"resultType\":\"vector\"");
  }

  @Test
  void shardsOfAFanOutMustAnswerTheSameResultType() {
    assertThatThrownBy(() -> merge(Endpoint.QUERY, VECTOR, MATRIX))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessage("shard \"b\" answered a matrix where another shard answered a vector");
  }

  @Test
  void dataOfTheWrongKindIsRefused() {
    assertThatThrownBy(() -> copy(Endpoint.SERIES, OBJECT_FOR_A_LIST))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessage("answered a \"data\" that is not what /api/v1/series answers");
    assertThatThrownBy(() -> merge(Endpoint.LABEL_VALUES, LIST, OBJECT_FOR_A_LIST))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessageStartingWith("shard \"b\" ");
    assertThatThrownBy(
            () -> merge(Endpoint.SERIES, "{\"status\":\"success\",\"data\":[]}", OBJECT_FOR_A_LIST))
        .isInstanceOf(MalformedAnswerException.class);
    assertThatThrownBy(() -> ResponseTransformer.check(Endpoint.BUILD_INFO, in(LIST)))
        .isInstanceOf(MalformedAnswerException.class);
    assertThatThrownBy(() -> merge(Endpoint.METADATA, "{\"status\":\"success\",\"data\":{}}", LIST))
        .isInstanceOf(MalformedAnswerException.class);
  }

  @Test
  void jsonCutShortIsRefusedNamingTheShard() {
    String cut = VECTOR.substring(0, VECTOR.length() / 2);
    assertThatThrownBy(() -> merge(Endpoint.QUERY, VECTOR, cut))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("shard \"b\" ");
    assertThatThrownBy(() -> merge(Endpoint.LABELS, LIST, LIST.substring(0, 20)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("shard \"b\" ");
    assertThatThrownBy(() -> ResponseTransformer.check(Endpoint.QUERY, in(cut)))
        .isInstanceOf(IOException.class);
  }

  @Test
  void wellFormedAnswersOfEveryKindPass() {
    assertThatCode(() -> ResponseTransformer.check(Endpoint.QUERY, in(VECTOR)))
        .doesNotThrowAnyException();
    assertThatCode(() -> ResponseTransformer.check(Endpoint.QUERY, in(MATRIX)))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                ResponseTransformer.check(
                    Endpoint.QUERY,
                    in(
                        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"2\"]}}")))
        .doesNotThrowAnyException();
    assertThatCode(() -> ResponseTransformer.check(Endpoint.QUERY_RANGE, in(MATRIX)))
        .doesNotThrowAnyException();
    assertThatCode(() -> ResponseTransformer.check(Endpoint.LABELS, in(LIST)))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                ResponseTransformer.check(
                    Endpoint.BUILD_INFO,
                    in("{\"status\":\"success\",\"data\":{\"version\":\"2.42.0\"}}")))
        .doesNotThrowAnyException();
    assertThatCode(() -> merge(Endpoint.QUERY, VECTOR, VECTOR)).doesNotThrowAnyException();
    assertThatCode(() -> merge(Endpoint.QUERY_RANGE, MATRIX, MATRIX)).doesNotThrowAnyException();
  }
}
