package io.promroute.plan;

import io.promroute.api.NativeHistogram;
import io.promroute.promql.ast.BinaryOp;
import io.promroute.promql.ast.VectorMatching;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binary operators in the router, as Prometheus 2.42's {@code VectorBinop}, {@code
 * VectorscalarBinop}, {@code VectorAnd/Or/Unless} and {@code scalarBinop}: the same matching
 * signatures, result labels and errors.
 */
final class BinaryOperations {

  private BinaryOperations() {}

  /** {@code value} and whether a comparison keeps the sample. */
  private record Result(double value, boolean keep) {}

  private static Result element(BinaryOp op, double lhs, double rhs) {
    return switch (op) {
      case ADD -> new Result(lhs + rhs, true);
      case SUB -> new Result(lhs - rhs, true);
      case MUL -> new Result(lhs * rhs, true);
      case DIV -> new Result(lhs / rhs, true);
      case POW -> new Result(pow(lhs, rhs), true);
      case MOD -> new Result(lhs % rhs, true);
      case ATAN2 -> new Result(GoMath.atan2(lhs, rhs), true);
      case EQL -> new Result(lhs, lhs == rhs);
      case NEQ -> new Result(lhs, lhs != rhs);
      case GTR -> new Result(lhs, lhs > rhs);
      case LSS -> new Result(lhs, lhs < rhs);
      case GTE -> new Result(lhs, lhs >= rhs);
      case LTE -> new Result(lhs, lhs <= rhs);
      case OR, AND, UNLESS, TRIM_UPPER, TRIM_LOWER ->
          throw Errors.execution(
              "operator \"" + op.symbol() + "\" not allowed for this operand type");
    };
  }

  /**
   * Go's {@code math.Pow}, as Prometheus computes {@code ^}. Its special cases differ from Java's
   * for bases 1 and -1, and it is not correctly rounded: an integer power is repeated squaring of
   * the mantissa, whose last bit often differs from {@link Math#pow}'s. That bit matters when the
   * result goes on into {@code %} ({@code 768.3749084919418 ^ 8 % 1002046} is 135098 in Prometheus,
   * 392664 from the correctly rounded power).
   */
  static double pow(double x, double y) {
    if (y == 0 || x == 1) {
      return 1;
    }
    if (y == 1) {
      return x;
    }
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return Double.NaN;
    }
    if (x == -1 && Double.isInfinite(y)) {
      return 1;
    }
    if (x == 0 || Double.isInfinite(x) || Double.isInfinite(y) || y == 0.5 || y == -0.5) {
      // Go's special cases here are IEEE's, which Java's are too (Pow(x, ±0.5) is Sqrt).
      return y == 0.5 ? Math.sqrt(x) : y == -0.5 ? 1 / Math.sqrt(x) : Math.pow(x, y);
    }
    double yi = Math.floor(Math.abs(y));
    double yf = Math.abs(y) - yi;
    if (yf != 0 && x < 0) {
      return Double.NaN;
    }
    if (yi >= 0x1p63) {
      // A large even integer: overflow or underflow for every x but -1 (1 is handled above).
      if (x == -1) {
        return 1;
      }
      return (Math.abs(x) < 1) == (y > 0) ? 0 : Double.POSITIVE_INFINITY;
    }
    double a1 = 1;
    long ae = 0;
    if (yf != 0) {
      if (yf > 0.5) {
        yf--;
        yi++;
      }
      a1 = GoMath.exp(yf * GoMath.log(x));
    }
    // x = x1 * 2^xe with x1 in [0.5, 1), as Go's Frexp.
    int xe = Math.getExponent(x) + 1;
    double x1;
    if (xe == Double.MIN_EXPONENT) {
      // Subnormal: normalize first.
      double normal = x * 0x1p52;
      xe = Math.getExponent(normal) + 1 - 52;
      x1 = Math.scalb(normal, -(Math.getExponent(normal) + 1));
    } else {
      x1 = Math.scalb(x, -xe);
    }
    for (long i = (long) yi; i != 0; i >>= 1) {
      if (xe < -(1 << 12) || (1 << 12) < xe) {
        // Catastrophic overflow: the final scaling handles it.
        ae += xe;
        break;
      }
      if ((i & 1) == 1) {
        a1 *= x1;
        ae += xe;
      }
      x1 *= x1;
      xe <<= 1;
      if (x1 < .5) {
        x1 += x1;
        xe--;
      }
    }
    if (y < 0) {
      a1 = 1 / a1;
      ae = -ae;
    }
    return ldexp(a1, ae);
  }

  /** Go's {@code Ldexp}: {@code frac * 2^exp}, rounded once. */
  private static double ldexp(double frac, long exp) {
    if (frac == 0 || Double.isInfinite(frac) || Double.isNaN(frac)) {
      return frac;
    }
    // Math.scalb saturates its int argument's effect correctly; clamp the long first.
    int clamped = (int) Math.max(-10_000, Math.min(10_000, exp));
    return Math.scalb(frac, clamped);
  }

  /** Arithmetic drops the metric name; comparisons keep it (unless bool). */
  private static boolean dropsMetricName(BinaryOp op) {
    return switch (op) {
      case ADD, SUB, MUL, DIV, POW, MOD -> true;
      case ATAN2, EQL, NEQ, GTR, LSS, GTE, LTE, OR, AND, UNLESS, TRIM_UPPER, TRIM_LOWER -> false;
    };
  }

  static double scalars(BinaryOp op, double lhs, double rhs) {
    Result result = element(op, lhs, rhs);
    if (op.isComparison()) {
      return result.keep() ? 1 : 0;
    }
    return result.value();
  }

  /** vector op scalar ({@code scalarOnLeft} false) or scalar op vector. */
  static List<Sample> vectorScalar(
      BinaryOp op, List<Sample> vector, double scalar, boolean scalarOnLeft, boolean returnBool) {
    List<Sample> out = new ArrayList<>(vector.size());
    for (Sample sample : vector) {
      double lv = sample.value();
      double rv = scalar;
      if (scalarOnLeft) {
        lv = scalar;
        rv = sample.value();
      }
      Result result = element(op, lv, rv);
      double value = result.value();
      boolean keep = result.keep();
      // A comparison keeps the vector's value even when the vector is on the right.
      if (op.isComparison() && scalarOnLeft) {
        value = rv;
      }
      if (returnBool) {
        value = keep ? 1 : 0;
        keep = true;
      }
      if (keep) {
        Labels labels = sample.labels();
        if (dropsMetricName(op) || returnBool) {
          labels = labels.withoutMetricName();
        }
        // Prometheus 2.42 keeps the vector's sample, a histogram included, with the new value.
        out.add(new Sample(labels, value, sample.histogram()));
      }
    }
    return out;
  }

  static List<Sample> vectors(
      BinaryOp op,
      List<Sample> lhs,
      List<Sample> rhs,
      VectorMatching matching,
      boolean returnBool) {
    return switch (op) {
      case AND -> and(lhs, rhs, matching, true);
      case UNLESS -> and(lhs, rhs, matching, false);
      case OR -> or(lhs, rhs, matching);
      case ADD,
          SUB,
          MUL,
          DIV,
          POW,
          MOD,
          ATAN2,
          EQL,
          NEQ,
          GTR,
          LSS,
          GTE,
          LTE,
          TRIM_UPPER,
          TRIM_LOWER ->
          binop(op, lhs, rhs, matching, returnBool);
    };
  }

  private static Labels signature(Labels labels, VectorMatching matching) {
    return labels.matchLabels(matching.on(), matching.labels());
  }

  private static List<Sample> and(
      List<Sample> lhs, List<Sample> rhs, VectorMatching matching, boolean keepMatched) {
    Set<Labels> right = new HashSet<>();
    for (Sample sample : rhs) {
      right.add(signature(sample.labels(), matching));
    }
    List<Sample> out = new ArrayList<>();
    for (Sample sample : lhs) {
      if (right.contains(signature(sample.labels(), matching)) == keepMatched) {
        out.add(sample);
      }
    }
    return out;
  }

  private static List<Sample> or(List<Sample> lhs, List<Sample> rhs, VectorMatching matching) {
    Set<Labels> left = new HashSet<>();
    List<Sample> out = new ArrayList<>(lhs);
    for (Sample sample : lhs) {
      left.add(signature(sample.labels(), matching));
    }
    for (Sample sample : rhs) {
      if (!left.contains(signature(sample.labels(), matching))) {
        out.add(sample);
      }
    }
    return out;
  }

  private static List<Sample> binop(
      BinaryOp op,
      List<Sample> lhs,
      List<Sample> rhs,
      VectorMatching matching,
      boolean returnBool) {
    if (lhs.isEmpty() || rhs.isEmpty()) {
      // As 2.42's VectorBinop: nothing can match, so neither side's duplicates are an error.
      return List.of();
    }
    boolean oneToMany = matching.cardinality() == VectorMatching.Cardinality.ONE_TO_MANY;
    if (oneToMany) {
      List<Sample> swap = lhs;
      lhs = rhs;
      rhs = swap;
    }
    Map<Labels, Sample> right = new HashMap<>();
    for (Sample sample : rhs) {
      Labels signature = signature(sample.labels(), matching);
      Sample duplicate = right.get(signature);
      if (duplicate != null) {
        throw Errors.execution(
            "found duplicate series for the match group "
                + sample.labels().matchLabels(matching.on(), matching.labels())
                + " on the "
                + (oneToMany ? "left" : "right")
                + " hand-side of the operation: ["
                + sample.labels()
                + ", "
                + duplicate.labels()
                + "];many-to-many matching not allowed: matching labels must be unique on one side");
      }
      right.put(signature, sample);
    }
    Map<Labels, Set<Labels>> matched = new HashMap<>();
    List<Sample> out = new ArrayList<>();
    for (Sample left : lhs) {
      Labels signature = signature(left.labels(), matching);
      Sample match = right.get(signature);
      if (match == null) {
        continue;
      }
      double vl = left.value();
      double vr = match.value();
      if (oneToMany) {
        vl = match.value();
        vr = left.value();
      }
      Result result = element(op, vl, vr);
      double value = result.value();
      if (returnBool) {
        value = result.keep() ? 1 : 0;
      } else if (!result.keep()) {
        continue;
      }
      Labels metric = resultMetric(left.labels(), match.labels(), op, matching);
      if (returnBool) {
        metric = metric.withoutMetricName();
      }
      Set<Labels> inserted = matched.get(signature);
      if (matching.cardinality() == VectorMatching.Cardinality.ONE_TO_ONE) {
        if (inserted != null) {
          throw Errors.execution(
              "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
        }
        matched.put(signature, Set.of());
      } else {
        if (inserted == null) {
          inserted = new HashSet<>();
          matched.put(signature, inserted);
        } else if (inserted.contains(metric)) {
          throw Errors.execution(
              "multiple matches for labels: grouping labels must ensure unique matches");
        }
        inserted.add(metric);
      }
      // Prometheus 2.42: a float and a histogram give nothing; two histograms give a float (their
      // values are 0) but for +, which adds them.
      NativeHistogram hl = left.histogram();
      NativeHistogram hr = match.histogram();
      if ((hl == null) != (hr == null)) {
        continue;
      }
      NativeHistogram histogram = null;
      if (hl != null && op == BinaryOp.ADD) {
        histogram = oneToMany ? hr.plus(hl) : hl.plus(hr);
      }
      out.add(new Sample(metric, value, histogram));
    }
    return out;
  }

  private static Labels resultMetric(Labels lhs, Labels rhs, BinaryOp op, VectorMatching matching) {
    Labels metric = lhs;
    if (dropsMetricName(op)) {
      metric = metric.withoutMetricName();
    }
    if (matching.cardinality() == VectorMatching.Cardinality.ONE_TO_ONE) {
      metric = matching.on() ? metric.keep(matching.labels()) : metric.without(matching.labels());
    }
    for (String name : matching.include()) {
      metric = metric.with(name, rhs.get(name));
    }
    return metric;
  }
}
