package io.promroute.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeHistogramTest {

  private static final String PREFIX =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"h\"},"
          + "\"histogram\":[1,";
  private static final String SUFFIX = "]}]}}";

  private static NativeHistogram read(String histogramJson) throws IOException {
    QueryResult result =
        QueryResult.read(
            new ByteArrayInputStream(
                (PREFIX + histogramJson + SUFFIX).getBytes(StandardCharsets.UTF_8)));
    return result.series().get(0).points().get(0).histogram();
  }

  private static String write(NativeHistogram histogram) throws IOException {
    QueryResult result =
        new QueryResult(
            QueryResult.Type.VECTOR,
            List.of(
                new QueryResult.Series(
                    List.of("__name__", "h"), List.of(new QueryResult.Point(1000, 0, histogram)))),
            List.of());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    result.write(out, List.of());
    String json = out.toString(StandardCharsets.UTF_8);
    return json.substring(PREFIX.length(), json.length() - SUFFIX.length());
  }

  @Test
  void aHistogramOfSchema3WithNegativeAndZeroBucketsIsWrittenBackAsPrometheusWroteIt()
      throws IOException {
    String json =
        "{\"count\":\"10\",\"sum\":\"3.25\",\"buckets\":["
            + "[1,\"-1.189207115002721\",\"-1.0905077326652577\",\"2\"],"
            + "[3,\"-0.001\",\"0.001\",\"1\"],"
            + "[0,\"1\",\"1.0905077326652577\",\"3\"],"
            + "[0,\"1.189207115002721\",\"1.2968395546510096\",\"4\"]]}";

    NativeHistogram histogram = read(json);

    assertThat(histogram.schema()).isEqualTo(3);
    assertThat(histogram.zeroThreshold()).isEqualTo(0.001);
    assertThat(write(histogram)).isEqualTo(json);
  }

  @Test
  void aBucketCutByTheZeroThresholdRevealsTheThreshold() throws IOException {
    String json =
        "{\"count\":\"3\",\"sum\":\"1\",\"buckets\":[[0,\"0.3\",\"0.5\",\"1\"],[0,\"0.5\",\"1\",\"2\"]]}";

    NativeHistogram histogram = read(json);

    assertThat(histogram.schema()).isZero();
    assertThat(histogram.zeroThreshold()).isEqualTo(0.3);
    assertThat(write(histogram)).isEqualTo(json);
  }

  @Test
  void theSumTakesTheLowerSchemaAndTheWiderZeroBucket() throws IOException {
    NativeHistogram schema0 =
        read(
            "{\"count\":\"4\",\"sum\":\"7\",\"buckets\":["
                + "[3,\"-0.001\",\"0.001\",\"1\"],[0,\"1\",\"2\",\"1\"],[0,\"2\",\"4\",\"2\"]]}");
    NativeHistogram schemaMinus1 =
        read(
            "{\"count\":\"4\",\"sum\":\"20\",\"buckets\":["
                + "[0,\"1\",\"4\",\"3\"],[0,\"4\",\"16\",\"1\"]]}");

    String expected =
        "{\"count\":\"8\",\"sum\":\"27\",\"buckets\":["
            + "[3,\"-0.001\",\"0.001\",\"1\"],[0,\"1\",\"4\",\"6\"],[0,\"4\",\"16\",\"1\"]]}";
    assertThat(write(schema0.plus(schemaMinus1))).isEqualTo(expected);
    assertThat(write(schemaMinus1.plus(schema0))).isEqualTo(expected);
  }

  @Test
  void widerZeroThresholdSwallowsTheBucketsBelowIt() throws IOException {
    NativeHistogram narrow =
        read(
            "{\"count\":\"3\",\"sum\":\"1\",\"buckets\":["
                + "[0,\"0.25\",\"0.5\",\"1\"],[0,\"0.5\",\"1\",\"2\"]]}");
    NativeHistogram wide =
        read("{\"count\":\"1\",\"sum\":\"0\",\"buckets\":[[3,\"-0.5\",\"0.5\",\"1\"]]}");

    assertThat(write(narrow.plus(wide)))
        .isEqualTo(
            "{\"count\":\"4\",\"sum\":\"1\",\"buckets\":[[3,\"-0.5\",\"0.5\",\"2\"],[0,\"0.5\",\"1\",\"2\"]]}");
  }

  @Test
  void aSeriesWithFloatsAndHistogramsIsReadInTimeOrderAndWrittenAsPrometheusWritesIt()
      throws IOException {
    String json =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
            + "\"values\":[[1,\"5\"],[3,\"6\"]],"
            + "\"histograms\":[[2,{\"count\":\"1\",\"sum\":\"0.75\",\"buckets\":[[0,\"0.5\",\"1\",\"1\"]]}],"
            + "[4,{\"count\":\"0\",\"sum\":\"0\"}]]}]}}";

    QueryResult result =
        QueryResult.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));

    assertThat(result.series().get(0).points())
        .extracting(QueryResult.Point::timestampMillis)
        .containsExactly(1000L, 2000L, 3000L, 4000L);
    assertThat(result.series().get(0).points().get(1).histogram().count()).isEqualTo(1);
    assertThat(result.series().get(0).points().get(2).histogram()).isNull();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    result.write(out, List.of());
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(json);
  }

  @Test
  void theSampleLimitCountsAHistogramAsOneSample() {
    String json =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + "{\"metric\":{\"a\":\"1\"},\"histogram\":[1,{\"count\":\"1\",\"sum\":\"1\",\"buckets\":[[0,\"0.5\",\"1\",\"1\"]]}]},"
            + "{\"metric\":{\"a\":\"2\"},\"value\":[1,\"1\"]}]}}";

    org.assertj.core.api.Assertions.assertThatNoException()
        .isThrownBy(
            () ->
                QueryResult.read(
                    new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                    SampleLimit.of(2)));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                QueryResult.read(
                    new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                    SampleLimit.of(1)))
        .isInstanceOf(ApiException.class);
  }

  @Test
  void boundsAreConsistentAcrossSchemasAndWithinAnUlpOfThePower() {
    for (int schema = 1; schema <= BucketBounds.MAX_SCHEMA; schema++) {
      for (int index = -600; index <= 600; index++) {
        assertThat(BucketBounds.bound(2 * index, schema))
            .isEqualTo(BucketBounds.bound(index, schema - 1));
        double power = Math.pow(2, index / (double) (1 << schema));
        assertThat(Math.abs(BucketBounds.bound(index, schema) - power))
            .isLessThanOrEqualTo(Math.ulp(power));
        assertThat(BucketBounds.indexOf(BucketBounds.bound(index, schema), schema))
            .isEqualTo(index);
      }
    }
    assertThat(BucketBounds.bound(1, 3)).isEqualTo(1.0905077326652577);
    assertThat(BucketBounds.bound(-3, -2)).isEqualTo(Math.scalb(1.0, -12));
  }
}
