package io.promroute.api;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Prometheus native histogram sample as the query API carries it, with what Prometheus 2.42's
 * engine does to it across shards (Go's {@code FloatHistogram}): the count and sum of the
 * observations, a zero bucket, and exponential buckets of one schema, kept by bucket index.
 * Immutable.
 *
 * <p>The API's JSON ({@code {"count":..,"sum":..,"buckets":[[rule, lower, upper, count],...]}})
 * names neither the schema nor the zero threshold: both are read back from the bounds ({@link
 * #of}). What the JSON does not show cannot be recovered: empty buckets (never written), and the
 * zero threshold of a histogram whose zero bucket is empty and whose buckets do not touch it (then
 * taken as 0); a histogram with no bucket that fixes its schema is taken at the highest schema, so
 * that it never lowers the schema of a sum.
 */
public final class NativeHistogram {

  /**
   * One bucket as Prometheus's JSON writes it.
   *
   * @param boundaryRule 0: (lower, upper], 1: [lower, upper), 2: (lower, upper), 3: [lower, upper]
   * @param lower the lower bound
   * @param upper the upper bound
   * @param count the observations in the bucket
   */
  public record Bucket(int boundaryRule, double lower, double upper, double count) {}

  private final int schema;
  private final double zeroThreshold;
  private final double zeroCount;
  private final double count;
  private final double sum;

  /** Bucket indexes, ascending, and their counts: positive, and negative by absolute value. */
  private final int[] positiveIndexes;

  private final double[] positiveCounts;
  private final int[] negativeIndexes;
  private final double[] negativeCounts;

  private NativeHistogram(
      int schema,
      double zeroThreshold,
      double zeroCount,
      double count,
      double sum,
      Map<Integer, Double> positive,
      Map<Integer, Double> negative) {
    this.schema = schema;
    this.zeroThreshold = zeroThreshold;
    this.zeroCount = zeroCount;
    this.count = count;
    this.sum = sum;
    this.positiveIndexes = positive.keySet().stream().mapToInt(Integer::intValue).toArray();
    this.positiveCounts = positive.values().stream().mapToDouble(Double::doubleValue).toArray();
    this.negativeIndexes = negative.keySet().stream().mapToInt(Integer::intValue).toArray();
    this.negativeCounts = negative.values().stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * The histogram Prometheus's JSON describes.
   *
   * @param count the {@code count}
   * @param sum the {@code sum}
   * @param buckets the {@code buckets}, as written (non-empty ones, negative to positive)
   * @throws IllegalArgumentException if a bucket is no bucket of an exponential schema
   */
  public static NativeHistogram of(double count, double sum, List<Bucket> buckets) {
    requireNonNull(buckets, "buckets is null");
    double zeroThreshold = 0;
    double zeroCount = 0;
    // Absolute bounds of the buckets on each side, ascending by absolute value.
    List<double[]> positive = new ArrayList<>();
    List<double[]> negative = new ArrayList<>();
    for (Bucket bucket : buckets) {
      if (bucket.boundaryRule() == 3) {
        zeroThreshold = bucket.upper();
        zeroCount += bucket.count();
      } else if (bucket.upper() > 0) {
        positive.add(new double[] {bucket.lower(), bucket.upper(), bucket.count()});
      } else {
        negative.add(0, new double[] {-bucket.upper(), -bucket.lower(), bucket.count()});
      }
    }
    int schema = schema(positive, negative);
    Map<Integer, Double> positiveBuckets = new TreeMap<>();
    Map<Integer, Double> negativeBuckets = new TreeMap<>();
    for (int side = 0; side < 2; side++) {
      List<double[]> bounds = side == 0 ? positive : negative;
      Map<Integer, Double> indexed = side == 0 ? positiveBuckets : negativeBuckets;
      for (int i = 0; i < bounds.size(); i++) {
        double[] bucket = bounds.get(i);
        Integer index = BucketBounds.read(bucket[0], bucket[1], schema);
        if (index == null) {
          throw new IllegalArgumentException(
              "native histogram bucket bound " + bucket[1] + " is no bound of schema " + schema);
        }
        if (i == 0 && !BucketBounds.isLowerBound(bucket[0], index, schema)) {
          // The bucket nearest zero is cut at the zero threshold.
          zeroThreshold = Math.max(zeroThreshold, bucket[0]);
        }
        indexed.merge(index, bucket[2], Double::sum);
      }
    }
    return new NativeHistogram(
        schema, zeroThreshold, zeroCount, count, sum, positiveBuckets, negativeBuckets);
  }

  /** The schema of the first bucket (away from zero first: those nearest zero may be cut). */
  private static int schema(List<double[]> positive, List<double[]> negative) {
    List<double[]> candidates = new ArrayList<>();
    candidates.addAll(positive.subList(Math.min(1, positive.size()), positive.size()));
    candidates.addAll(negative.subList(Math.min(1, negative.size()), negative.size()));
    if (!positive.isEmpty()) {
      candidates.add(positive.get(0));
    }
    if (!negative.isEmpty()) {
      candidates.add(negative.get(0));
    }
    for (double[] bucket : candidates) {
      Integer schema = BucketBounds.schemaOf(bucket[0], bucket[1]);
      if (schema != null) {
        return schema;
      }
    }
    return BucketBounds.MAX_SCHEMA;
  }

  /** The count of observations, {@code histogram_count}. */
  public double count() {
    return count;
  }

  /** The sum of observations, {@code histogram_sum}. */
  public double sum() {
    return sum;
  }

  /** The schema (the resolution of the buckets, -4 to 8). */
  public int schema() {
    return schema;
  }

  /** The zero threshold: the zero bucket is [-threshold, threshold]. */
  public double zeroThreshold() {
    return zeroThreshold;
  }

  /** Whether the histogram has a non-empty positive bucket (other than the zero bucket). */
  public boolean hasPositiveBuckets() {
    return positiveIndexes.length > 0;
  }

  /** Whether the histogram has a non-empty negative bucket (other than the zero bucket). */
  public boolean hasNegativeBuckets() {
    return negativeIndexes.length > 0;
  }

  /**
   * Every non-empty bucket, from the most negative to the most positive, the zero bucket between:
   * Go's {@code AllBucketIterator} (buckets cut at the zero threshold), what the JSON lists.
   */
  public List<Bucket> buckets() {
    List<Bucket> buckets = new ArrayList<>(negativeIndexes.length + positiveIndexes.length + 1);
    for (int i = negativeIndexes.length - 1; i >= 0; i--) {
      if (negativeCounts[i] != 0) {
        double lower = -BucketBounds.bound(negativeIndexes[i], schema);
        double upper =
            Math.min(-BucketBounds.bound(negativeIndexes[i] - 1, schema), -zeroThreshold);
        buckets.add(new Bucket(1, lower, upper, negativeCounts[i]));
      }
    }
    if (zeroCount > 0) {
      buckets.add(new Bucket(3, -zeroThreshold, zeroThreshold, zeroCount));
    }
    for (int i = 0; i < positiveIndexes.length; i++) {
      if (positiveCounts[i] != 0) {
        double lower = Math.max(BucketBounds.bound(positiveIndexes[i] - 1, schema), zeroThreshold);
        double upper = BucketBounds.bound(positiveIndexes[i], schema);
        buckets.add(new Bucket(0, lower, upper, positiveCounts[i]));
      }
    }
    return buckets;
  }

  /**
   * Prometheus 2.42's sum of two histograms ({@code sum}, {@code +}): the one with the lower schema
   * (this one when equal) receives the other's buckets merged to its schema, after both zero
   * buckets are widened to a common threshold that cuts no populated bucket.
   */
  public NativeHistogram plus(NativeHistogram other) {
    requireNonNull(other, "other is null");
    return other.schema >= schema ? new Sum(this).add(other) : new Sum(other).add(this);
  }

  /** Go's {@code FloatHistogram.Add} on a mutable copy of the receiving histogram. */
  private static final class Sum {
    final int schema;
    double zeroThreshold;
    double zeroCount;
    double count;
    double sum;
    final TreeMap<Integer, Double> positive = new TreeMap<>();
    final TreeMap<Integer, Double> negative = new TreeMap<>();

    Sum(NativeHistogram receiver) {
      schema = receiver.schema;
      zeroThreshold = receiver.zeroThreshold;
      zeroCount = receiver.zeroCount;
      count = receiver.count;
      sum = receiver.sum;
      for (int i = 0; i < receiver.positiveIndexes.length; i++) {
        positive.put(receiver.positiveIndexes[i], receiver.positiveCounts[i]);
      }
      for (int i = 0; i < receiver.negativeIndexes.length; i++) {
        negative.put(receiver.negativeIndexes[i], receiver.negativeCounts[i]);
      }
    }

    NativeHistogram add(NativeHistogram other) {
      double otherZeroCount = reconcileZeroBuckets(other);
      zeroCount += otherZeroCount;
      count += other.count;
      sum += other.sum;
      addSide(other.schema, other.positiveIndexes, other.positiveCounts, positive);
      addSide(other.schema, other.negativeIndexes, other.negativeCounts, negative);
      return new NativeHistogram(schema, zeroThreshold, zeroCount, count, sum, positive, negative);
    }

    /**
     * The other side's buckets merged into this schema (index {@code ((i - 1) >> Δ) + 1}), those
     * ending at or below the zero threshold left out (the zero count holds them already).
     */
    private void addSide(
        int otherSchema, int[] indexes, double[] counts, TreeMap<Integer, Double> into) {
      int shift = otherSchema - schema;
      int i = 0;
      while (i < indexes.length) {
        int target = shift == 0 ? indexes[i] : ((indexes[i] - 1) >> shift) + 1;
        double merged = 0;
        while (i < indexes.length
            && (shift == 0 ? indexes[i] : ((indexes[i] - 1) >> shift) + 1) == target) {
          merged += counts[i];
          i++;
        }
        if (BucketBounds.bound(target, schema) <= zeroThreshold) {
          continue;
        }
        Double existing = into.get(target);
        into.put(target, existing == null ? merged : existing + merged);
      }
    }

    /**
     * Widens both zero buckets to one threshold; this one is changed, the other's zero count at
     * that threshold returned (Go's {@code reconcileZeroBuckets}).
     */
    private double reconcileZeroBuckets(NativeHistogram other) {
      double otherZeroCount = other.zeroCount;
      double otherThreshold = other.zeroThreshold;
      while (otherThreshold != zeroThreshold) {
        if (zeroThreshold > otherThreshold) {
          double[] widened =
              widenedZeroBucket(
                  other.schema,
                  other.zeroCount,
                  other.positiveIndexes,
                  other.positiveCounts,
                  other.negativeIndexes,
                  other.negativeCounts,
                  zeroThreshold);
          otherZeroCount = widened[0];
          otherThreshold = widened[1];
        }
        if (otherThreshold > zeroThreshold) {
          double[] widened =
              widenedZeroBucket(
                  schema,
                  zeroCount,
                  keys(positive),
                  values(positive),
                  keys(negative),
                  values(negative),
                  otherThreshold);
          zeroCount = widened[0];
          zeroThreshold = widened[1];
          // The buckets now inside the zero bucket are counted there.
          positive.headMap(firstIndexAbove(zeroThreshold)).clear();
          negative.headMap(firstIndexAbove(zeroThreshold)).clear();
        }
      }
      return otherZeroCount;
    }

    /** The lowest index whose bucket's lower bound is at or above {@code threshold}. */
    private int firstIndexAbove(double threshold) {
      Integer index = BucketBounds.indexOf(threshold, schema);
      if (index != null) {
        return index + 1;
      }
      // Not a bound: the bucket that holds it is partly below, so is removed too.
      int estimate = (int) Math.floor(Math.scalb(Math.log(threshold) / Math.log(2), schema));
      while (BucketBounds.bound(estimate, schema) < threshold) {
        estimate++;
      }
      while (BucketBounds.bound(estimate - 1, schema) >= threshold) {
        estimate--;
      }
      return estimate + 1;
    }
  }

  private static int[] keys(TreeMap<Integer, Double> buckets) {
    return buckets.keySet().stream().mapToInt(Integer::intValue).toArray();
  }

  private static double[] values(TreeMap<Integer, Double> buckets) {
    return buckets.values().stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * What the zero count would be with the larger threshold {@code larger}, and the threshold, moved
   * up to the end of a populated bucket it would cut (Go's {@code zeroCountForLargerThreshold}):
   * {@code [count, threshold]}.
   */
  private static double[] widenedZeroBucket(
      int schema,
      double zeroCount,
      int[] positiveIndexes,
      double[] positiveCounts,
      int[] negativeIndexes,
      double[] negativeCounts,
      double larger) {
    outer:
    while (true) {
      double count = zeroCount;
      for (int side = 0; side < 2; side++) {
        int[] indexes = side == 0 ? positiveIndexes : negativeIndexes;
        double[] counts = side == 0 ? positiveCounts : negativeCounts;
        for (int i = 0; i < indexes.length; i++) {
          double lower = BucketBounds.bound(indexes[i] - 1, schema);
          double upper = BucketBounds.bound(indexes[i], schema);
          if (lower >= larger) {
            break;
          }
          count += counts[i];
          if (upper > larger) {
            if (counts[i] != 0) {
              larger = upper;
              if (side == 1) {
                continue outer;
              }
            }
            break;
          }
        }
      }
      return new double[] {count, larger};
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NativeHistogram other
        && schema == other.schema
        && Double.compare(zeroThreshold, other.zeroThreshold) == 0
        && Double.compare(zeroCount, other.zeroCount) == 0
        && Double.compare(count, other.count) == 0
        && Double.compare(sum, other.sum) == 0
        && Arrays.equals(positiveIndexes, other.positiveIndexes)
        && Arrays.equals(positiveCounts, other.positiveCounts)
        && Arrays.equals(negativeIndexes, other.negativeIndexes)
        && Arrays.equals(negativeCounts, other.negativeCounts);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(positiveIndexes) * 31
        + Double.hashCode(count) * 17
        + Double.hashCode(sum);
  }

  @Override
  public String toString() {
    return "{count:"
        + count
        + ", sum:"
        + sum
        + ", schema:"
        + schema
        + ", buckets:"
        + buckets()
        + "}";
  }
}
