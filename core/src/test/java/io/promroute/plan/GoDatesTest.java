package io.promroute.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Date functions of values beyond what {@code java.time} represents answer what Prometheus 2.42
 * (amd64) answers; every expected value below is a real answer of {@code prometheus} 2.42 to {@code
 * <function>(vector(<value>))}.
 */
class GoDatesTest {

  @ParameterizedTest(name = "{0}({1}) = {2}")
  @CsvSource({
    // An ordinary time: 2026-03-01T01:00:00Z, a Sunday.
    "year, 1772326800, 2026",
    "month, 1772326800, 3",
    "day_of_month, 1772326800, 1",
    "day_of_year, 1772326800, 60",
    "day_of_week, 1772326800, 0",
    "days_in_month, 1772326800, 31",
    "hour, 1772326800, 1",
    "minute, 1772326800, 0",
    // Go's int64 of an out-of-range float is the smallest int64; its calendar then wraps.
    "year, 1e300, 292277026596",
    "month, 1e300, 12",
    "day_of_month, 1e300, 4",
    "day_of_year, 1e300, 339",
    "day_of_week, 1e300, 0",
    "days_in_month, 1e300, 31",
    "hour, 1e300, 15",
    "minute, 1e300, 30",
    "year, NaN, 292277026596",
    "year, -Infinity, 292277026596",
    // In range for Go, out of range for java.time.
    "year, 1e17, 3168875820",
    "year, -1e17, -3168871881",
    "month, -1e17, 4",
    "days_in_month, -1e17, 30",
    "day_of_month, 9e18, 21",
    "year, 9e18, 285198648531",
    "day_of_week, -9e17, 2",
  })
  void datesOfHugeValuesAreGosDates(String function, double seconds, double expected) {
    assertThat(GoDates.date(function, seconds)).isEqualTo(expected);
  }
}
