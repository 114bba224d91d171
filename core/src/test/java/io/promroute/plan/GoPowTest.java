package io.promroute.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ^} in the router gives Prometheus's bits, not the correctly rounded power. The expected
 * powers are real answers of Prometheus 2.42 to {@code vector(<x>) ^ <y>}; the special cases are
 * those of Go's {@code math/pow.go}.
 */
class GoPowTest {

  @ParameterizedTest(name = "{0} ^ {1} = {2}")
  @CsvSource({
    "768.3749084919418, 8, 1.215025507270656e+23",
    "3.3, 17, 652735116.4826437",
    "0.7, -13, 103.21087972715566",
    "1.0000001, 1e6, 1.1051709126081526",
    "-1.7, 5, -14.198569999999997",
    "10, -7, 1e-07",
    "123456.789, 21, 8.352462232468227e+106",
  })
  void integerPowersAreGosRepeatedSquaring(double x, double y, double expected) {
    assertThat(BinaryOperations.pow(x, y)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} ^ {1} = {2}")
  @CsvSource({
    // The fractional part goes through Go's amd64 Exp and Log (GoMath), bit for bit.
    "2.5, 3.5, 24.705294220065465",
    "1.1, 123.25, 126371.29784303317",
  })
  void fractionalPowersSplitAsGoSplitsThem(double x, double y, double expected) {
    assertThat(BinaryOperations.pow(x, y)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} ^ {1} = {2}")
  @CsvSource({
    "1, NaN, 1",
    "NaN, 0, 1",
    "-1, Infinity, 1",
    "-1, -Infinity, 1",
    "0, -1, Infinity",
    "-0.0, -3, -Infinity",
    "-8, 0.5, NaN",
    "4, -0.5, 0.5",
    "-2, 1.5, NaN",
    "0.5, 1e300, 0",
    "2, -1e300, 0",
    "2, 1e300, Infinity",
  })
  void specialCasesAreGos(double x, double y, double expected) {
    // Boxed: NaN equals NaN, and -0.0 differs from 0.0.
    assertThat(Double.valueOf(BinaryOperations.pow(x, y))).isEqualTo(Double.valueOf(expected));
  }
}
