package io.promroute.api;

import java.math.BigInteger;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bucket boundaries of Prometheus's exponential native histogram schemas (-4 to 8): the upper
 * bound of bucket {@code index} of schema {@code s} is {@code 2^(index / 2^s)}. Go takes the
 * fraction from a table of constants of no rounding rule this class could reproduce (neither to
 * nearest nor down, nor Go's or Java's pow or exp: each matches about 70 % of them); rather than
 * copy that table, this class takes the bounds the shards write (every bound a shard answer holds
 * is remembered, by its exponent, the same in every schema) and computes the others correctly
 * rounded, an ulp at most from Prometheus's. It also reads a histogram's schema back from bounds,
 * since the query API carries bounds, not schemas.
 */
final class BucketBounds {

  static final int MIN_SCHEMA = -4;
  static final int MAX_SCHEMA = 8;

  /** Fractions in [0.5, 1) by (schema, fraction index): key {@code (schema << 16) | index}. */
  private static final ConcurrentHashMap<Integer, Double> FRACTIONS = new ConcurrentHashMap<>();

  /** Bounds read from shard answers, by their exponent in 2^-8 units (the same in every schema). */
  private static final ConcurrentHashMap<Long, Double> OBSERVED = new ConcurrentHashMap<>();

  /** The most bounds remembered: every bound of schema 8 between 2^-64 and 2^64 fits. */
  private static final int MAX_OBSERVED = 40_000;

  private BucketBounds() {}

  /**
   * The upper bound of bucket {@code index} of {@code schema}, as Go's {@code getBound}: the last
   * finite bucket ends at {@code Double.MAX_VALUE}, the one after it (±Inf observations) at +Inf.
   */
  static double bound(int index, int schema) {
    Double observed = OBSERVED.get(exponentKey(index, schema));
    return observed != null ? observed : computed(index, schema);
  }

  private static long exponentKey(int index, int schema) {
    return (long) index << (MAX_SCHEMA - schema);
  }

  private static double computed(int index, int schema) {
    if (schema < 0) {
      long exponent = (long) index << -schema;
      if (exponent == 1024) {
        return Double.MAX_VALUE;
      }
      return Math.scalb(1.0, (int) Math.max(Math.min(exponent, 2000), -2000));
    }
    int fractionIndex = index & ((1 << schema) - 1);
    double fraction = fraction(schema, fractionIndex);
    int exponent = (index >> schema) + 1;
    if (fraction == 0.5 && exponent == 1025) {
      return Double.MAX_VALUE;
    }
    return Math.scalb(fraction, exponent);
  }

  /** Whether {@code value} is the bound computed here or one an ulp or two beside it. */
  private static boolean near(double value, double computed) {
    return value == computed || Math.abs(value - computed) <= 2 * Math.ulp(computed);
  }

  /** Remembers a bound as a shard wrote it. */
  private static void observe(int index, int schema, double bound) {
    if (OBSERVED.size() < MAX_OBSERVED) {
      OBSERVED.putIfAbsent(exponentKey(index, schema), bound);
    }
  }

  /** {@code 2^(i / 2^schema) / 2}, correctly rounded. */
  private static double fraction(int schema, int i) {
    if (i == 0) {
      return 0.5;
    }
    return FRACTIONS.computeIfAbsent((schema << 16) | i, unused -> correctlyRounded(schema, i));
  }

  /**
   * The double nearest to t = 2^(i/N - 1), N = 2^schema. A double x = M * 2^-53 of [0.5, 1) is the
   * nearest when t lies between the midpoints to its neighbours, (2M ± 1) * 2^-54; raising to the
   * N-th power keeps the order and makes the comparison exact in integers: (2M - 1)^N < 2^K < (2M +
   * 1)^N with K = i - N + 54N. (t is irrational, never a midpoint.)
   */
  private static double correctlyRounded(int schema, int i) {
    int n = 1 << schema;
    double estimate = Math.pow(2.0, (double) i / n) / 2;
    long m = (long) Math.scalb(estimate, 53);
    BigInteger target = BigInteger.ONE.shiftLeft(i - n + 54 * n);
    while (true) {
      if (BigInteger.valueOf(2 * m - 1).pow(n).compareTo(target) > 0) {
        m--;
      } else if (BigInteger.valueOf(2 * m + 1).pow(n).compareTo(target) < 0) {
        m++;
      } else {
        return Math.scalb((double) m, -53);
      }
    }
  }

  /**
   * The index whose upper bound at {@code schema} is {@code upper} (positive; as Prometheus writes
   * it, which may be an ulp from the computed bound), or null when {@code upper} is no bound of
   * that schema.
   */
  static Integer indexOf(double upper, int schema) {
    if (!(upper > 0)) {
      return null;
    }
    double log2 =
        Double.isInfinite(upper)
            ? 1024 + Math.scalb(1.0, -schema)
            : upper == Double.MAX_VALUE ? 1024 : Math.log(upper) / Math.log(2);
    long estimate = Math.round(Math.scalb(log2, schema));
    for (long index = estimate - 1; index <= estimate + 1; index++) {
      if (index >= Integer.MIN_VALUE / 2
          && index <= Integer.MAX_VALUE / 2
          && near(upper, computed((int) index, schema))) {
        return (int) index;
      }
    }
    return null;
  }

  /**
   * The schema in which {@code (lower, upper]} (absolute values, {@code 0 < lower < upper}) is one
   * bucket, or null if it is none (a bucket cut by the zero threshold).
   */
  static Integer schemaOf(double lower, double upper) {
    for (int schema = MAX_SCHEMA; schema >= MIN_SCHEMA; schema--) {
      Integer index = indexOf(upper, schema);
      if (index != null && near(lower, computed(index - 1, schema))) {
        return schema;
      }
    }
    return null;
  }

  /**
   * {@link #indexOf}, remembering {@code upper} (and {@code lower}, unless cut at the zero
   * threshold) as the bounds Prometheus writes for them.
   */
  static Integer read(double lower, double upper, int schema) {
    Integer index = indexOf(upper, schema);
    if (index != null) {
      observe(index, schema, upper);
      if (lower > 0 && near(lower, computed(index - 1, schema))) {
        observe(index - 1, schema, lower);
      }
    }
    return index;
  }

  /**
   * Whether {@code lower} is the lower bound of bucket {@code index}, not a cut at the zero
   * threshold.
   */
  static boolean isLowerBound(double lower, int index, int schema) {
    return near(lower, computed(index - 1, schema));
  }
}
