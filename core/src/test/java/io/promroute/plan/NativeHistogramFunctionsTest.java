package io.promroute.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.api.NativeHistogram;
import io.promroute.api.NativeHistogram.Bucket;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeHistogramFunctionsTest {

  /** 1 observation in the zero bucket [-0.001, 0.001], 6 in (1, 4], 1 in (4, 16] (schema -1). */
  private static final NativeHistogram HISTOGRAM =
      NativeHistogram.of(
          8,
          27,
          List.of(
              new Bucket(3, -0.001, 0.001, 1), new Bucket(0, 1, 4, 6), new Bucket(0, 4, 16, 1)));

  @Test
  void quantileInterpolatesWithinTheBucketThatReachesTheRank() {
    assertThat(NativeHistogramFunctions.quantile(0.5, HISTOGRAM)).isEqualTo(2.5);
    assertThat(NativeHistogramFunctions.quantile(1, HISTOGRAM)).isEqualTo(16);
    // The zero bucket of a histogram without negative buckets starts at 0.
    assertThat(NativeHistogramFunctions.quantile(0.0625, HISTOGRAM)).isEqualTo(0.0005);
    assertThat(NativeHistogramFunctions.quantile(1.5, HISTOGRAM))
        .isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(NativeHistogramFunctions.quantile(-1, HISTOGRAM))
        .isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void fractionCountsWholeBucketsAndInterpolatesCutOnes() {
    assertThat(NativeHistogramFunctions.fraction(0, 2, HISTOGRAM)).isEqualTo(0.375);
    assertThat(
            NativeHistogramFunctions.fraction(
                Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, HISTOGRAM))
        .isEqualTo(1);
    assertThat(NativeHistogramFunctions.fraction(4, 1, HISTOGRAM)).isZero();
    assertThat(NativeHistogramFunctions.fraction(Double.NaN, 1, HISTOGRAM)).isNaN();
  }
}
