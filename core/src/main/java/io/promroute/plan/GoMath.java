package io.promroute.plan;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Go's {@code math} functions as Prometheus 2.42 calls them (Go 1.19 on amd64, the build Debian
 * ships), so that a value the router computes has the bits a Prometheus holding every series would
 * answer. Java's {@link Math} and {@link StrictMath} are both within an ulp of Go, but not equal to
 * it, and the last bit shows through {@code count_values} and {@code ==}.
 *
 * <p>Three families: {@code Exp} and {@code Log} are amd64 assembly in Go (a Taylor series after
 * reduction by ln 2 for {@code Exp}, with fused multiply-adds on CPUs that have them, as every
 * x86-64 server since 2013 does; fdlibm's reduction and polynomial, without its special branches,
 * for {@code Log}); the circular functions are Cephes's polynomials with Go's own reduction (three
 * parts of π/4, Payne-Hanek above 2^29); the inverse hyperbolic functions and {@code Log1p} are
 * FreeBSD's (fdlibm) formulas over Go's {@code Log}. {@code Sqrt}, {@code Floor}, {@code Ceil} and
 * {@code Abs} are exact in both languages and are not here.
 *
 * <p>Go evaluates constant expressions such as {@code 4 / Pi} exactly and rounds once; the
 * constants below are computed the same way, never as {@code 4 / Math.PI}.
 */
final class GoMath {

  private GoMath() {}

  private static final MathContext EXACT = new MathContext(60);
  private static final BigDecimal PI =
      new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494459");
  private static final BigDecimal LN2 =
      new BigDecimal("0.693147180559945309417232121458176568075500134360255254120680009");
  private static final BigDecimal LN10 =
      new BigDecimal("2.30258509299404568401799145468436420760110148862877297603332790");

  private static final double FOUR_OVER_PI = new BigDecimal(4).divide(PI, EXACT).doubleValue();
  private static final double THREE_PI_OVER_FOUR =
      PI.multiply(new BigDecimal(3)).divide(new BigDecimal(4), EXACT).doubleValue();
  private static final double ONE_OVER_LN2 = BigDecimal.ONE.divide(LN2, EXACT).doubleValue();
  private static final double ONE_OVER_LN10 = BigDecimal.ONE.divide(LN10, EXACT).doubleValue();

  // ---- Exp (exp_amd64.s) ----

  private static final double EXP_OVERFLOW = 7.09782712893384e+02;
  private static final double LOG2E = 1.4426950408889634073599246810018920;
  private static final double LN2_UPPER = 0.69314718055966295651160180568695068359375;
  private static final double LN2_LOWER = 0.28235290563031577122588448175013436025525412068e-12;

  /** 1/2!, 1/3!, ... 1/8!: the Taylor series of e^r - 1, divided by r. */
  private static final double[] EXP_SERIES = {
    0.5,
    1.6666666666666666667e-1,
    4.1666666666666666667e-2,
    8.3333333333333333333e-3,
    1.3888888888888888889e-3,
    1.9841269841269841270e-4,
    2.4801587301587301587e-5
  };

  /**
   * Go's amd64 {@code Exp}: x = k ln2 + r, e^(r/16) - 1 by its Taylor series, squared up four times
   * as (y (y + 2)), then scaled by 2^k. {@code k} is rounded to the nearest integer, so x just
   * under the overflow threshold gives +Inf: Go's answers, not the correctly rounded ones.
   */
  static double exp(double x) {
    if (Double.isNaN(x) || x == Double.POSITIVE_INFINITY) {
      return x;
    }
    if (x == Double.NEGATIVE_INFINITY) {
      return 0;
    }
    if (x > EXP_OVERFLOW) {
      return Double.POSITIVE_INFINITY;
    }
    int k = roundToInt32(x * LOG2E);
    double kd = k;
    double r = Math.fma(-kd, LN2_UPPER, x);
    r = Math.fma(-kd, LN2_LOWER, r);
    r *= 0.0625;
    double series = EXP_SERIES[6];
    for (int i = 5; i >= 0; i--) {
      series = Math.fma(series, r, EXP_SERIES[i]);
    }
    series = Math.fma(series, r, 1.0);
    double y = r * series;
    for (int i = 0; i < 3; i++) {
      y *= y + 2.0;
    }
    y = Math.fma(y + 2.0, y, 1.0);
    int biased = k + 0x3FF; // int32 arithmetic, as the assembly's
    if (biased <= 0) {
      // Subnormal: scale into the normal range, then by 2^-1022 (two roundings, as Go's).
      if (biased < -52) {
        return 0;
      }
      y *= Double.longBitsToDouble((long) (biased + 0x3FE) << 52);
      return y * Double.MIN_NORMAL;
    }
    if (biased >= 0x7FF) {
      return Double.POSITIVE_INFINITY;
    }
    return y * Double.longBitsToDouble((long) biased << 52);
  }

  /** x86's CVTSD2SL: round half to even; NaN and values outside int32 give the smallest int32. */
  private static int roundToInt32(double x) {
    double rounded = Math.rint(x);
    if (!(rounded >= Integer.MIN_VALUE && rounded <= Integer.MAX_VALUE)) {
      return Integer.MIN_VALUE;
    }
    return (int) rounded;
  }

  // ---- Log (log_amd64.s), Log2, Log10, Log1p ----

  private static final double SQRT2_OVER_2 = 7.07106781186547524401e-01;
  private static final double LN2_HI = 6.93147180369123816490e-01;
  private static final double LN2_LO = 1.90821492927058770002e-10;
  private static final double L1 = 6.666666666666735130e-01;
  private static final double L2 = 3.999999999940941908e-01;
  private static final double L3 = 2.857142874366239149e-01;
  private static final double L4 = 2.222219843214978396e-01;
  private static final double L5 = 1.818357216161805012e-01;
  private static final double L6 = 1.531383769920937332e-01;
  private static final double L7 = 1.479819860511658591e-01;

  /**
   * Go's amd64 {@code Log}: x = 2^k f with f in [√2/2, √2), then fdlibm's series in s =
   * (f-1)/(f+1). The exponent is read from the bits without normalizing, as the assembly does, so a
   * subnormal x gets Go's (inexact) answer.
   */
  static double log(double x) {
    if (x == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (Double.isNaN(x) || x == Double.POSITIVE_INFINITY) {
      return x;
    }
    if (x < 0) {
      return Double.NaN;
    }
    long bits = Double.doubleToRawLongBits(x);
    double f1 = Double.longBitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FE0000000000000L);
    double k = (double) ((int) ((bits >>> 52) & 0x7FF) - 0x3FE);
    if (f1 < SQRT2_OVER_2) {
      k -= 1;
      f1 *= 2;
    }
    double f = f1 - 1;
    double s = f / (2 + f);
    double s2 = s * s;
    double s4 = s2 * s2;
    double t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)));
    double t2 = s4 * (L2 + s4 * (L4 + s4 * L6));
    double r = t1 + t2;
    double hfsq = 0.5 * f * f;
    return k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f);
  }

  /** Go's {@code Log2}: the exponent exactly, plus {@code Log} of the fraction. */
  static double log2(double x) {
    if (x == 0 || Double.isNaN(x) || Double.isInfinite(x)) {
      return log(x) * ONE_OVER_LN2;
    }
    // Frexp: x = frac * 2^exp, frac in [0.5, 1), subnormals normalized first.
    int exp = 0;
    double normal = x;
    if (Math.abs(x) < Double.MIN_NORMAL) {
      normal = x * 0x1p52;
      exp = -52;
    }
    exp += Math.getExponent(normal) + 1;
    double frac = Math.scalb(normal, -(Math.getExponent(normal) + 1));
    if (frac == 0.5) {
      return exp - 1;
    }
    return log(frac) * ONE_OVER_LN2 + exp;
  }

  /** Go's {@code Log10}: {@code Log(x) * (1/Ln10)} (so a subnormal x inherits Log's answer). */
  static double log10(double x) {
    return log(x) * ONE_OVER_LN10;
  }

  /** Go's {@code Log1p} (fdlibm's s_log1p.c). */
  static double log1p(double x) {
    final double sqrt2Minus1 = 4.142135623730950488017e-01;
    final double sqrt2HalfMinus1 = -2.928932188134524755992e-01;
    final double small = 0x1p-29;
    final double tiny = 0x1p-54;
    final double two53 = 0x1p53;
    if (x < -1 || Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x == -1) {
      return Double.NEGATIVE_INFINITY;
    }
    if (x == Double.POSITIVE_INFINITY) {
      return x;
    }
    double absx = Math.abs(x);
    double f = 0;
    long iu = 0;
    int k = 1;
    if (absx < sqrt2Minus1) {
      if (absx < small) {
        if (absx < tiny) {
          return x;
        }
        return x - x * x * 0.5;
      }
      if (x > sqrt2HalfMinus1) {
        k = 0;
        f = x;
        iu = 1;
      }
    }
    double c = 0;
    if (k != 0) {
      double u;
      if (absx < two53) {
        u = 1.0 + x;
        iu = Double.doubleToRawLongBits(u);
        k = (int) ((iu >>> 52) - 1023);
        c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0);
        c /= u;
      } else {
        u = x;
        iu = Double.doubleToRawLongBits(u);
        k = (int) ((iu >>> 52) - 1023);
        c = 0;
      }
      iu &= 0x000FFFFFFFFFFFFFL;
      if (iu < 0x0006A09E667F3BCDL) {
        u = Double.longBitsToDouble(iu | 0x3FF0000000000000L);
      } else {
        k++;
        u = Double.longBitsToDouble(iu | 0x3FE0000000000000L);
        iu = (0x0010000000000000L - iu) >>> 2;
      }
      f = u - 1.0;
    }
    double hfsq = 0.5 * f * f;
    double kd = k;
    if (iu == 0) {
      if (f == 0) {
        if (k == 0) {
          return 0;
        }
        c += kd * LN2_LO;
        return kd * LN2_HI + c;
      }
      double r = hfsq * (1.0 - 0.66666666666666666 * f);
      if (k == 0) {
        return f - r;
      }
      return kd * LN2_HI - ((r - (kd * LN2_LO + c)) - f);
    }
    double s = f / (2.0 + f);
    double z = s * s;
    double r = z * (L1 + z * (L2 + z * (L3 + z * (L4 + z * (L5 + z * (L6 + z * L7))))));
    if (k == 0) {
      return f - (hfsq - s * (hfsq + r));
    }
    return kd * LN2_HI - ((hfsq - (s * (hfsq + r) + (kd * LN2_LO + c))) - f);
  }

  // ---- Sin, Cos, Tan (Cephes, Go's reduction) ----

  private static final double PI4_A = 7.85398125648498535156e-1;
  private static final double PI4_B = 3.77489470793079817668e-8;
  private static final double PI4_C = 2.69515142907905952645e-15;

  /** Above this, three parts of π/4 are not enough: Payne-Hanek reduction. */
  private static final double REDUCE_THRESHOLD = 0x1p29;

  private static final double[] SIN = {
    1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
    -1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1
  };
  private static final double[] COS = {
    -1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
    2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2
  };

  /** The octant (mod 8, zeros mapped to the origin) and the remainder of x > 0 by π/4. */
  private record Reduced(long octant, double remainder) {}

  private static Reduced reduce(double x) {
    if (x >= REDUCE_THRESHOLD) {
      return payneHanek(x);
    }
    long j = (long) (x * FOUR_OVER_PI);
    double y = j;
    if ((j & 1) == 1) {
      j++;
      y++;
    }
    return new Reduced(j, ((x - y * PI4_A) - y * PI4_B) - y * PI4_C);
  }

  private static double sinSeries(double z, double zz) {
    return z
        + z
            * zz
            * ((((((SIN[0] * zz) + SIN[1]) * zz + SIN[2]) * zz + SIN[3]) * zz + SIN[4]) * zz
                + SIN[5]);
  }

  private static double cosSeries(double zz) {
    return 1.0
        - 0.5 * zz
        + zz
            * zz
            * ((((((COS[0] * zz) + COS[1]) * zz + COS[2]) * zz + COS[3]) * zz + COS[4]) * zz
                + COS[5]);
  }

  static double sin(double x) {
    if (x == 0 || Double.isNaN(x)) {
      return x;
    }
    if (Double.isInfinite(x)) {
      return Double.NaN;
    }
    return sinOrCos(Math.abs(x), false, x < 0);
  }

  static double cos(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      return Double.NaN;
    }
    return sinOrCos(Math.abs(x), true, false);
  }

  /**
   * Go's sin and cos of {@code absX > 0}: the octant of the reduced argument chooses between the
   * two series and the sign (cos changes sign once more from the third octant on).
   */
  private static double sinOrCos(double absX, boolean cosine, boolean negative) {
    Reduced reduced = reduce(absX);
    long j = reduced.octant() & 7;
    if (j > 3) {
      negative = !negative;
      j -= 4;
    }
    if (cosine && j > 1) {
      negative = !negative;
    }
    double z = reduced.remainder();
    double zz = z * z;
    boolean otherSeries = j == 1 || j == 2;
    double y = otherSeries != cosine ? cosSeries(zz) : sinSeries(z, zz);
    return negative ? -y : y;
  }

  private static final double[] TAN_P = {
    -1.30936939181383777646e4, 1.15351664838587416140e6, -1.79565251976484877988e7
  };
  private static final double[] TAN_Q = {
    1.00000000000000000000e0,
    1.36812963470692954678e4,
    -1.32089234440210967447e6,
    2.50083801823357915839e7,
    -5.38695755929454629881e7
  };

  static double tan(double x) {
    if (x == 0 || Double.isNaN(x)) {
      return x;
    }
    if (Double.isInfinite(x)) {
      return Double.NaN;
    }
    boolean negative = x < 0;
    Reduced reduced = reduce(Math.abs(x));
    double z = reduced.remainder();
    double zz = z * z;
    double y;
    if (zz > 1e-14) {
      y =
          z
              + z
                  * (zz
                      * (((TAN_P[0] * zz) + TAN_P[1]) * zz + TAN_P[2])
                      / ((((zz + TAN_Q[1]) * zz + TAN_Q[2]) * zz + TAN_Q[3]) * zz + TAN_Q[4]));
    } else {
      y = z;
    }
    if ((reduced.octant() & 2) == 2) {
      y = -1 / y;
    }
    return negative ? -y : y;
  }

  /** The bits of 4/π: 4/π = Σ digits[i] 2^(-64 i). */
  private static final long[] FOUR_OVER_PI_BITS = {
    0x0000000000000001L, 0x45f306dc9c882a53L, 0xf84eafa3ea69bb81L, 0xb6c52b3278872083L,
    0xfca2c757bd778ac3L, 0x6e48dc74849ba5c0L, 0x0c925dd413a32439L, 0xfc3bd63962534e7dL,
    0xd1046bea5d768909L, 0xd338e04d68befc82L, 0x7323ac7306a673e9L, 0x3908bf177bf25076L,
    0x3ff12fffbc0b301fL, 0xde5e2316b414da3eL, 0xda6cfd9e4f96136eL, 0x9e8c7ecd3cbfd45aL,
    0xea4f758fd7cbe2f6L, 0x7a0e73ef14a525d4L, 0xd7f6bf623f1aba10L, 0xac06608df8f6d757L,
  };

  /**
   * Go's Payne-Hanek reduction of a huge x: the mantissa times the three 64-bit words of 4/π that
   * matter at x's exponent, in 128-bit integer arithmetic; the top three bits are the octant.
   */
  private static Reduced payneHanek(double x) {
    long ix = Double.doubleToRawLongBits(x);
    int exp = (int) ((ix >>> 52) & 0x7FF) - 1023 - 52;
    ix &= ~(0x7FFL << 52);
    ix |= 1L << 52;
    int digit = (exp + 61) / 64;
    int shift = (exp + 61) % 64;
    long z0 = shiftedWord(digit, shift);
    long z1 = shiftedWord(digit + 1, shift);
    long z2 = shiftedWord(digit + 2, shift);
    long z2hi = Math.multiplyHigh(z2, ix) + ((z2 >> 63) & ix);
    long z1hi = Math.multiplyHigh(z1, ix) + ((z1 >> 63) & ix);
    long z1lo = z1 * ix;
    long z0lo = z0 * ix;
    long lo = z1lo + z2hi;
    long carry = Long.compareUnsigned(lo, z1lo) < 0 ? 1 : 0;
    long hi = z0lo + z1hi + carry;
    long j = hi >>> 61;
    hi = hi << 3 | lo >>> 61;
    int lz = Long.numberOfLeadingZeros(hi);
    long e = 1023 - (lz + 1);
    hi = goShiftLeft(hi, lz + 1) | (lo >>> (64 - (lz + 1)));
    hi >>>= 64 - 52;
    hi |= e << 52;
    double z = Double.longBitsToDouble(hi);
    if ((j & 1) == 1) {
      j++;
      j &= 7;
      z--;
    }
    return new Reduced(j, z * (Math.PI / 4));
  }

  /** Go's {@code <<}: a shift by 64 gives 0 (Java's shifts count modulo 64). */
  private static long goShiftLeft(long value, int bits) {
    return bits >= 64 ? 0 : value << bits;
  }

  /** Word {@code digit} of 4/π shifted left by {@code shift} bits, filled from the next word. */
  private static long shiftedWord(int digit, int shift) {
    long next = FOUR_OVER_PI_BITS[digit + 1];
    // Go's shift by 64 gives 0; Java's would give the value unchanged.
    return (FOUR_OVER_PI_BITS[digit] << shift) | (shift == 0 ? 0 : next >>> (64 - shift));
  }

  // ---- Atan, Asin, Acos, Atan2 (Cephes) ----

  private static double atanSeries(double x) {
    final double p0 = -8.750608600031904122785e-01;
    final double p1 = -1.615753718733365076637e+01;
    final double p2 = -7.500855792314704667340e+01;
    final double p3 = -1.228866684490136173410e+02;
    final double p4 = -6.485021904942025371773e+01;
    final double q0 = +2.485846490142306297962e+01;
    final double q1 = +1.650270098316988542046e+02;
    final double q2 = +4.328810604912902668951e+02;
    final double q3 = +4.853903996359136964868e+02;
    final double q4 = +1.945506571482613964425e+02;
    double z = x * x;
    z =
        z
            * ((((p0 * z + p1) * z + p2) * z + p3) * z + p4)
            / (((((z + q0) * z + q1) * z + q2) * z + q3) * z + q4);
    return x * z + x;
  }

  /** atan of x ≥ 0, reduced to [0, 0.66]. */
  private static double atanPositive(double x) {
    final double moreBits = 6.123233995736765886130e-17;
    final double tan3Pi8 = 2.41421356237309504880;
    if (x <= 0.66) {
      return atanSeries(x);
    }
    if (x > tan3Pi8) {
      return Math.PI / 2 - atanSeries(1 / x) + moreBits;
    }
    return Math.PI / 4 + atanSeries((x - 1) / (x + 1)) + 0.5 * moreBits;
  }

  static double atan(double x) {
    if (x == 0) {
      return x;
    }
    return x > 0 ? atanPositive(x) : -atanPositive(-x);
  }

  static double asin(double x) {
    if (x == 0) {
      return x;
    }
    boolean negative = x < 0;
    x = Math.abs(x);
    if (x > 1) {
      return Double.NaN;
    }
    double temp = Math.sqrt(1 - x * x);
    temp = x > 0.7 ? Math.PI / 2 - atanPositive(temp / x) : atanPositive(x / temp);
    return negative ? -temp : temp;
  }

  static double acos(double x) {
    return Math.PI / 2 - asin(x);
  }

  static double atan2(double y, double x) {
    if (Double.isNaN(y) || Double.isNaN(x)) {
      return Double.NaN;
    }
    if (y == 0) {
      return x >= 0 && !(x == 0 && 1 / x < 0) ? Math.copySign(0.0, y) : Math.copySign(Math.PI, y);
    }
    if (x == 0) {
      return Math.copySign(Math.PI / 2, y);
    }
    if (Double.isInfinite(x)) {
      if (x > 0) {
        return Double.isInfinite(y) ? Math.copySign(Math.PI / 4, y) : Math.copySign(0.0, y);
      }
      return Double.isInfinite(y)
          ? Math.copySign(THREE_PI_OVER_FOUR, y)
          : Math.copySign(Math.PI, y);
    }
    if (Double.isInfinite(y)) {
      return Math.copySign(Math.PI / 2, y);
    }
    double q = atan(y / x);
    if (x < 0) {
      return q <= 0 ? q + Math.PI : q - Math.PI;
    }
    return q;
  }

  // ---- Sinh, Cosh, Tanh (over Go's Exp) ----

  static double sinh(double x) {
    final double p0 = -0.6307673640497716991184787251e+6;
    final double p1 = -0.8991272022039509355398013511e+5;
    final double p2 = -0.2894211355989563807284660366e+4;
    final double p3 = -0.2630563213397497062819489e+2;
    final double q0 = -0.6307673640497716991212077277e+6;
    final double q1 = 0.1521517378790019070696485176e+5;
    final double q2 = -0.173678953558233699533450911e+3;
    // Not Math.abs: Go negates only when x < 0, so -0 stays -0.
    boolean negative = x < 0;
    if (negative) {
      x = -x;
    }
    double temp;
    if (x > 21) {
      temp = exp(x) * 0.5;
    } else if (x > 0.5) {
      double ex = exp(x);
      temp = (ex - 1 / ex) * 0.5;
    } else {
      double sq = x * x;
      temp = (((p3 * sq + p2) * sq + p1) * sq + p0) * x;
      temp = temp / (((sq + q2) * sq + q1) * sq + q0);
    }
    return negative ? -temp : temp;
  }

  static double cosh(double x) {
    x = Math.abs(x);
    if (x > 21) {
      return exp(x) * 0.5;
    }
    double ex = exp(x);
    return (ex + 1 / ex) * 0.5;
  }

  static double tanh(double x) {
    final double maxLog = 8.8029691931113054295988e+01;
    final double p0 = -9.64399179425052238628E-1;
    final double p1 = -9.92877231001918586564E1;
    final double p2 = -1.61468768441708447952E3;
    final double q0 = 1.12811678491632931402E2;
    final double q1 = 2.23548839060100448583E3;
    final double q2 = 4.84406305325125486048E3;
    double z = Math.abs(x);
    if (z > 0.5 * maxLog) {
      return x < 0 ? -1 : 1;
    }
    if (z >= 0.625) {
      double s = exp(2 * z);
      z = 1 - 2 / (s + 1);
      return x < 0 ? -z : z;
    }
    if (x == 0) {
      return x;
    }
    double s = x * x;
    return x + x * s * ((p0 * s + p1) * s + p2) / (((s + q0) * s + q1) * s + q2);
  }

  // ---- Asinh, Acosh, Atanh (fdlibm's formulas over Go's Log and Log1p) ----

  private static final double LN2_DOUBLE = 6.93147180559945286227e-01;
  private static final double LARGE = 0x1p28;
  private static final double NEAR_ZERO = 0x1p-28;

  static double asinh(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      return x;
    }
    boolean negative = x < 0;
    if (negative) {
      x = -x;
    }
    double temp;
    if (x > LARGE) {
      temp = log(x) + LN2_DOUBLE;
    } else if (x > 2) {
      temp = log(2 * x + 1 / (Math.sqrt(x * x + 1) + x));
    } else if (x < NEAR_ZERO) {
      temp = x;
    } else {
      temp = log1p(x + x * x / (1 + Math.sqrt(1 + x * x)));
    }
    return negative ? -temp : temp;
  }

  static double acosh(double x) {
    if (x < 1 || Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x == 1) {
      return 0;
    }
    if (x >= LARGE) {
      return log(x) + LN2_DOUBLE;
    }
    if (x > 2) {
      return log(2 * x - 1 / (x + Math.sqrt(x * x - 1)));
    }
    double t = x - 1;
    return log1p(t + Math.sqrt(2 * t + t * t));
  }

  static double atanh(double x) {
    if (x < -1 || x > 1 || Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x == 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (x == -1) {
      return Double.NEGATIVE_INFINITY;
    }
    boolean negative = x < 0;
    if (negative) {
      x = -x;
    }
    double temp;
    if (x < NEAR_ZERO) {
      temp = x;
    } else if (x < 0.5) {
      temp = x + x;
      temp = 0.5 * log1p(temp + temp * x / (1 - x));
    } else {
      temp = 0.5 * log1p((x + x) / (1 - x));
    }
    return negative ? -temp : temp;
  }
}
