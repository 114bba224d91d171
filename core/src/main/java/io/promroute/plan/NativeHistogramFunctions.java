package io.promroute.plan;

import io.promroute.api.NativeHistogram;
import java.util.List;

/**
 * Prometheus 2.42's estimates over one native histogram: {@code histogram_quantile} and {@code
 * histogram_fraction}, interpolating linearly within a bucket, with 0 as the natural bound of the
 * zero bucket of a histogram whose other buckets are all on one side of it.
 */
final class NativeHistogramFunctions {

  private NativeHistogramFunctions() {}

  /** The φ-quantile: -Inf below 0, +Inf above 1, NaN for NaN or no observations. */
  static double quantile(double q, NativeHistogram histogram) {
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (histogram.count() == 0 || Double.isNaN(q)) {
      return Double.NaN;
    }
    double rank = q * histogram.count();
    double count = 0;
    double lower = 0;
    double upper = 0;
    double bucketCount = 0;
    for (NativeHistogram.Bucket bucket : histogram.buckets()) {
      lower = bucket.lower();
      upper = bucket.upper();
      bucketCount = bucket.count();
      count += bucketCount;
      if (count >= rank) {
        break;
      }
    }
    if (lower < 0 && upper > 0) {
      if (!histogram.hasNegativeBuckets() && histogram.hasPositiveBuckets()) {
        lower = 0;
      } else if (!histogram.hasPositiveBuckets() && histogram.hasNegativeBuckets()) {
        upper = 0;
      }
    }
    // Rounding can make the buckets' total exceed the count.
    if (count > histogram.count()) {
      count = histogram.count();
    }
    // The last bucket reached without reaching the rank (NaN observations): its upper bound.
    if (count < rank) {
      return upper;
    }
    rank -= count - bucketCount;
    return lower + (upper - lower) * (rank / bucketCount);
  }

  /** The fraction of observations between {@code lower} and {@code upper}: NaN without any. */
  static double fraction(double lower, double upper, NativeHistogram histogram) {
    if (histogram.count() == 0 || Double.isNaN(lower) || Double.isNaN(upper)) {
      return Double.NaN;
    }
    if (lower >= upper) {
      return 0;
    }
    double rank = 0;
    double lowerRank = 0;
    double upperRank = 0;
    boolean lowerSet = false;
    boolean upperSet = false;
    List<NativeHistogram.Bucket> buckets = histogram.buckets();
    for (NativeHistogram.Bucket bucket : buckets) {
      double bucketLower = bucket.lower();
      double bucketUpper = bucket.upper();
      if (bucketLower < 0 && bucketUpper > 0) {
        if (!histogram.hasNegativeBuckets() && histogram.hasPositiveBuckets()) {
          bucketLower = 0;
        } else if (!histogram.hasPositiveBuckets() && histogram.hasNegativeBuckets()) {
          bucketUpper = 0;
        }
      }
      if (!lowerSet && bucketLower >= lower) {
        lowerRank = rank;
        lowerSet = true;
      }
      if (!upperSet && bucketLower >= upper) {
        upperRank = rank;
        upperSet = true;
      }
      if (lowerSet && upperSet) {
        break;
      }
      if (!lowerSet && bucketLower < lower && bucketUpper > lower) {
        lowerRank = rank + bucket.count() * (lower - bucketLower) / (bucketUpper - bucketLower);
        lowerSet = true;
      }
      if (!upperSet && bucketLower < upper && bucketUpper > upper) {
        upperRank = rank + bucket.count() * (upper - bucketLower) / (bucketUpper - bucketLower);
        upperSet = true;
      }
      if (lowerSet && upperSet) {
        break;
      }
      rank += bucket.count();
    }
    if (!lowerSet || lowerRank > histogram.count()) {
      lowerRank = histogram.count();
    }
    if (!upperSet || upperRank > histogram.count()) {
      upperRank = histogram.count();
    }
    return (upperRank - lowerRank) / histogram.count();
  }
}
