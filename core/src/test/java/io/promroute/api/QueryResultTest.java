package io.promroute.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryResultTest {

  private static QueryResult read(String json) throws IOException {
    return QueryResult.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  private static String write(QueryResult result, String... warnings) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    result.write(out, List.of(warnings));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void readingStopsWithPrometheusTooManySamplesOnceTheLimitIsPassed() {
    String answer =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            + "{\"metric\":{\"a\":\"1\"},\"values\":[[1,\"1\"],[2,\"2\"]]},"
            + "{\"metric\":{\"a\":\"2\"},\"values\":[[1,\"1\"]]}]}}";
    SampleLimit enough = SampleLimit.of(3);
    SampleLimit tooFew = SampleLimit.of(2);

    ApiException error =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            ApiException.class,
            () ->
                QueryResult.read(
                    new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)), tooFew));

    assertThat(error).isNotNull();
    assertThat(error.error())
        .isEqualTo(
            new ApiError(
                422,
                "execution",
                "query processing would load too many samples into memory in query execution"));
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    QueryResult.read(
                        new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)), enough)))
        .isNull();
    assertThat(enough.held()).isEqualTo(3);
  }

  @Test
  void readsAVectorWithSpecialValuesMillisecondTimestampsAndSortedLabels() throws IOException {
    QueryResult result =
        read(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"job\":\"api\",\"__name__\":\"up\"},\"value\":[1435781451.781,\"+Inf\"]},"
                + "{\"metric\":{},\"value\":[1435781451.781,\"NaN\"]}]},\"warnings\":[\"w\"]}");

    assertThat(result.type()).isEqualTo(QueryResult.Type.VECTOR);
    assertThat(result.warnings()).containsExactly("w");
    assertThat(result.series().get(0).labels()).containsExactly("__name__", "up", "job", "api");
    assertThat(result.series().get(0).points())
        .containsExactly(new QueryResult.Point(1435781451781L, Double.POSITIVE_INFINITY));
    assertThat(result.series().get(1).points().get(0).value()).isNaN();
  }

  @Test
  void writesValuesAsPrometheusAndTimestampsAsSeconds() throws IOException {
    QueryResult result =
        new QueryResult(
            QueryResult.Type.MATRIX,
            List.of(
                new QueryResult.Series(
                    List.of("job", "a<b"),
                    List.of(
                        new QueryResult.Point(1000, 0.1),
                        new QueryResult.Point(16500, 1e21),
                        new QueryResult.Point(17000, 3.3306690738754696e-14),
                        new QueryResult.Point(18000, 0.000001),
                        new QueryResult.Point(31000, Double.NEGATIVE_INFINITY)))),
            List.of());

    assertThat(write(result, "merged"))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"job\":\"a\\u003cb\"},\"values\":[[1,\"0.1\"],[16.5,\"1e+21\"],[17,\"3.3306690738754696e-14\"],[18,\"0.000001\"],[31,\"-Inf\"]]}]},"
                + "\"warnings\":[\"merged\"]}");
  }

  @Test
  void scalarsRoundTrip() throws IOException {
    String json =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[12.345,\"-0.5\"]}}";

    assertThat(write(read(json))).isEqualTo(json);
  }

  @Test
  void goParseFloatSpellingsAreAcceptedAndOthersRejected() throws IOException {
    assertThat(QueryResult.parseValue("Inf")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(QueryResult.parseValue("-infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(QueryResult.parseValue("1e-3")).isEqualTo(0.001);
    assertThatThrownBy(() -> QueryResult.parseValue("1d")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> QueryResult.parseValue("")).isInstanceOf(IOException.class);
  }
}
