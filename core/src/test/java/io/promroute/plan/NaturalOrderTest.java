package io.promroute.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** natsort.Compare as Prometheus 3's sort_by_label calls it; expectations worked out by hand. */
class NaturalOrderTest {

  @ParameterizedTest(name = "{0} before {1}: {2}")
  @CsvSource({
    // Digit runs compare as numbers, other runs as strings.
    "host9, host10, true",
    "host10, host9, false",
    "a, b, true",
    "b, a, false",
    // A string that ends while equal so far precedes the longer one...
    "host10, host10a, true",
    "host10a, host10, false",
    // ...and, a quirk, an equal string "precedes" itself (Prometheus never asks).
    "host10, host10, true",
    // A run too long for int64 compares as a string: '9' > '1'.
    "99999999999999999999, 100, false",
    "007, 8, true",
    "'', x, false",
    "x, '', false",
  })
  void comparesAsFacetteNatsort(String a, String b, boolean precedes) {
    assertThat(NaturalOrder.precedes(a, b)).isEqualTo(precedes);
  }
}
