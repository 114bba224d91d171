package io.promroute.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiParametersTest {

  private static void validate(Endpoint endpoint, Map<String, String> params) {
    ApiParameters.validate(
        endpoint, name -> params.containsKey(name) ? List.of(params.get(name)) : List.of());
  }

  private static String error(Endpoint endpoint, Map<String, String> params) {
    try {
      validate(endpoint, params);
    } catch (ApiException e) {
      assertThat(e.error().status()).isEqualTo(400);
      assertThat(e.error().errorType()).isEqualTo("bad_data");
      return e.getMessage();
    }
    throw new AssertionError("accepted " + params);
  }

  @Test
  void timesAreUnixSecondsRoundedToMillisecondsOrRfc3339() {
    assertThat(ApiParameters.parseTime("time", "1435781451.7814"))
        .isEqualTo(Instant.ofEpochMilli(1435781451781L));
    assertThat(ApiParameters.parseTime("time", "1435781451"))
        .isEqualTo(Instant.ofEpochSecond(1435781451L));
    assertThat(ApiParameters.parseTime("time", "2015-07-01T20:10:51.781Z"))
        .isEqualTo(Instant.ofEpochMilli(1435781451781L));
    assertThat(ApiParameters.parseTime("time", "2015-07-01T22:10:51+02:00"))
        .isEqualTo(Instant.ofEpochSecond(1435781451L));
  }

  @Test
  void grafanaMillisecondExemplarBoundsAreAccepted() {
    validate(Endpoint.QUERY_EXEMPLARS, Map.of("start", "1700000000000", "end", "1700000360000"));
  }

  @Test
  void malformedTimesAreRejectedWithPrometheusMessages() {
    assertThat(error(Endpoint.QUERY, Map.of("time", "yesterday")))
        .isEqualTo(
            "invalid parameter \"time\": Invalid time value for 'time': cannot parse \"yesterday\" to a valid timestamp");
    assertThat(error(Endpoint.QUERY_RANGE, Map.of("start", "1d", "end", "2", "step", "1")))
        .isEqualTo("invalid parameter \"start\": cannot parse \"1d\" to a valid timestamp");
    assertThat(error(Endpoint.QUERY, Map.of("time", " 1")))
        .startsWith("invalid parameter \"time\"");
    assertThat(error(Endpoint.QUERY, Map.of("time", "2015-07-01T20:10Z")))
        .startsWith("invalid parameter \"time\"");
  }

  @Test
  void numbersBeyondADoubleAreNotTimesOrDurationsAsGoParseFloatRefusesThem() {
    assertThat(error(Endpoint.QUERY, Map.of("time", "1e400")))
        .isEqualTo(
            "invalid parameter \"time\": Invalid time value for 'time': cannot parse \"1e400\" to a valid timestamp");
    assertThat(error(Endpoint.QUERY, Map.of("time", "-nan")))
        .isEqualTo(
            "invalid parameter \"time\": Invalid time value for 'time': cannot parse \"-nan\" to a valid timestamp");
    assertThat(error(Endpoint.QUERY, Map.of("timeout", "1e400")))
        .isEqualTo("invalid parameter \"timeout\": cannot parse \"1e400\" to a valid duration");
    assertThat(error(Endpoint.QUERY, Map.of("timeout", "Inf")))
        .isEqualTo(
            "invalid parameter \"timeout\": cannot parse \"Inf\" to a valid duration. It overflows int64");
    validate(Endpoint.QUERY, Map.of("time", "1e-400"));
  }

  @Test
  void rangeQueriesNeedStartEndAndAPositiveStep() {
    assertThat(error(Endpoint.QUERY_RANGE, Map.of("end", "2", "step", "1")))
        .isEqualTo("invalid parameter \"start\": cannot parse \"\" to a valid timestamp");
    assertThat(error(Endpoint.QUERY_RANGE, Map.of("start", "3", "end", "2", "step", "1")))
        .isEqualTo("invalid parameter \"end\": end timestamp must not be before start time");
    assertThat(error(Endpoint.QUERY_RANGE, Map.of("start", "1", "end", "2", "step", "0")))
        .isEqualTo(
            "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer");
    assertThat(error(Endpoint.QUERY_RANGE, Map.of("start", "1", "end", "2", "step", "fast")))
        .isEqualTo("invalid parameter \"step\": cannot parse \"fast\" to a valid duration");
    assertThat(error(Endpoint.QUERY_RANGE, Map.of("start", "0", "end", "11001", "step", "1")))
        .isEqualTo(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
    validate(Endpoint.QUERY_RANGE, Map.of("start", "0", "end", "11000", "step", "1"));
    validate(Endpoint.QUERY_RANGE, Map.of("start", "0", "end", "3600", "step", "1m"));
  }

  @Test
  void durationsAreFloatSecondsOrPrometheusDurations() {
    assertThat(ApiParameters.parseDuration("step", "15")).isEqualTo(Duration.ofSeconds(15));
    assertThat(ApiParameters.parseDuration("step", "0.5")).isEqualTo(Duration.ofMillis(500));
    assertThat(ApiParameters.parseDuration("step", "1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(ApiParameters.parseDuration("step", "1d")).isEqualTo(Duration.ofDays(1));
    assertThat(ApiParameters.parseDuration("step", "100ms")).isEqualTo(Duration.ofMillis(100));
    assertThatThrownBy(() -> ApiParameters.parseDuration("timeout", "1s1m"))
        .hasMessage("invalid parameter \"timeout\": cannot parse \"1s1m\" to a valid duration");
  }

  @Test
  void seriesNeedsAMatchParameter() {
    assertThat(error(Endpoint.SERIES, Map.of())).isEqualTo("no match[] parameter provided");
    validate(Endpoint.SERIES, Map.of("match[]", "up"));
  }

  @Test
  void digitSeparatorsAreReadAsGoParseFloatReadsThem() {
    assertThat(ApiParameters.parseTime("time", "1_435_781_451"))
        .isEqualTo(Instant.ofEpochSecond(1435781451L));
    assertThat(ApiParameters.parseDuration("step", "1_5"))
        .isEqualTo(java.time.Duration.ofSeconds(15));
    assertThat(error(Endpoint.QUERY, Map.of("time", "1__0")))
        .startsWith("invalid parameter \"time\"");
    assertThat(error(Endpoint.QUERY, Map.of("time", "_10")))
        .startsWith("invalid parameter \"time\"");
    assertThat(error(Endpoint.QUERY, Map.of("time", "10_")))
        .startsWith("invalid parameter \"time\"");
    assertThat(error(Endpoint.QUERY, Map.of("time", "1_.5")))
        .startsWith("invalid parameter \"time\"");
  }

  @Test
  void timesBeyondAnInstantAreAcceptedNotAnInternalError() {
    validate(Endpoint.QUERY, Map.of("time", "9223372036854775807"));
    validate(Endpoint.QUERY, Map.of("time", "1e19"));
    validate(Endpoint.QUERY, Map.of("time", "-1e19"));
    assertThat(ApiParameters.parseTime("time", "1e300"))
        .isEqualTo(Instant.MAX.minusNanos(Instant.MAX.getNano()));
  }

  @Test
  void evaluationMillisecondsAreGoInt64Arithmetic() {
    assertThat(ApiParameters.timestampMillis("time", "1435781451.7814")).isEqualTo(1435781451781L);
    assertThat(ApiParameters.timestampMillis("time", "-1.5")).isEqualTo(-1500L);
    assertThat(ApiParameters.timestampMillis("time", "2015-07-01T22:10:51.5+02:00"))
        .isEqualTo(1435781451500L);
    // int64(1e19) is MinInt64 in Go, and MinInt64 * 1000 wraps to 0.
    assertThat(ApiParameters.timestampMillis("time", "1e19")).isEqualTo(0L);
    // NaN: MinInt64 seconds and nanoseconds, normalised by time.Unix, then wrapped.
    assertThat(ApiParameters.timestampMillis("time", "NaN")).isEqualTo(-9223372036855L);
    // 1e18 seconds fit an int64, their milliseconds wrap.
    assertThat(ApiParameters.timestampMillis("time", "1e18"))
        .isEqualTo(1_000_000_000_000_000_000L * 1000);
    assertThat(ApiParameters.timestampMillis("time", "-292273086-05-16T16:47:06Z"))
        .isEqualTo((Long.MIN_VALUE / 1000 + 62135596801L) * 1000);
  }
}
