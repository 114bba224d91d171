package io.promroute.plan;

import io.promroute.compat.GoFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Range functions over a subquery of merged values, as Prometheus 2.42 computes them over a
 * subquery's points: one output sample per series with at least one point (two for the rate
 * family), the metric name dropped except by {@code last_over_time}.
 */
final class RangeFunctions {

  private RangeFunctions() {}

  /**
   * One series' points in the window, and what else a range function reads.
   *
   * @param t the points' times
   * @param v the points' values, at least one
   * @param matrix the whole argument (its range and offset)
   * @param time the evaluation time
   * @param scalars the scalar arguments, in written order
   */
  record Window(long[] t, double[] v, Value.Matrix matrix, long time, List<Double> scalars) {
    double scalar(int index) {
      return index < scalars.size() ? scalars.get(index) : Double.NaN;
    }
  }

  /** A range function of one series' window: its value, or null for no output sample. */
  @FunctionalInterface
  interface Kernel {
    Double apply(Window window);
  }

  /** A range function that drops the metric name, as all but the ones that pick one point. */
  static RouterFunctions.Implementation droppingName(Kernel kernel) {
    return (args, absentLabels, time) -> call(kernel, false, args, time);
  }

  /** A range function that picks a point and, like an offset, keeps the metric name. */
  static RouterFunctions.Implementation keepingName(Kernel kernel) {
    return (args, absentLabels, time) -> call(kernel, true, args, time);
  }

  private static Value call(Kernel kernel, boolean keepsName, List<Value> args, long time) {
    Value.Matrix matrix = null;
    List<Double> scalars = new ArrayList<>(2);
    for (Value arg : args) {
      if (arg instanceof Value.Matrix m) {
        matrix = m;
      } else if (arg instanceof Value.Scalar scalar) {
        scalars.add(scalar.value());
      }
    }
    if (matrix == null) {
      throw new IllegalStateException("a range function without a range argument");
    }
    List<Sample> out = new ArrayList<>();
    for (Value.Series series : matrix.series()) {
      Double result =
          kernel.apply(new Window(series.times(), series.values(), matrix, time, scalars));
      if (result == null) {
        continue;
      }
      Labels labels = keepsName ? series.labels() : series.labels().withoutMetricName();
      out.add(new Sample(labels, result));
    }
    Errors.checkDistinct(out);
    return new Value.Vector(out);
  }

  // ---- the kernels, as Prometheus 2.42 (3.x for its own functions) computes them ----

  static Double average(Window w) {
    return average(w.v());
  }

  static Double min(Window w) {
    return extreme(w.v(), false);
  }

  static Double max(Window w) {
    return extreme(w.v(), true);
  }

  static Double sum(Window w) {
    return sum(w.v());
  }

  static Double count(Window w) {
    return (double) w.v().length;
  }

  static Double first(Window w) {
    return w.v()[0];
  }

  static Double last(Window w) {
    return w.v()[w.v().length - 1];
  }

  static Double present(Window w) {
    return 1.0;
  }

  static Double stddev(Window w) {
    return Math.sqrt(variance(w.v()));
  }

  static Double stdvar(Window w) {
    return variance(w.v());
  }

  static Double quantile(Window w) {
    return quantile(w.scalar(0), w.v());
  }

  static Double rate(Window w) {
    return extrapolated(w.t(), w.v(), w.matrix(), w.time(), true, true);
  }

  static Double increase(Window w) {
    return extrapolated(w.t(), w.v(), w.matrix(), w.time(), true, false);
  }

  static Double delta(Window w) {
    return extrapolated(w.t(), w.v(), w.matrix(), w.time(), false, false);
  }

  static Double irate(Window w) {
    return instant(w.t(), w.v(), true);
  }

  static Double idelta(Window w) {
    return instant(w.t(), w.v(), false);
  }

  static Double changes(Window w) {
    return changes(w.v(), false);
  }

  static Double resets(Window w) {
    return changes(w.v(), true);
  }

  static Double deriv(Window w) {
    return deriv(w.t(), w.v());
  }

  static Double predictLinear(Window w) {
    return predictLinear(w.t(), w.v(), w.time(), w.scalar(0));
  }

  static Double smoothed(Window w) {
    return smoothed(w.v(), w.scalar(0), w.scalar(1));
  }

  static Double medianAbsoluteDeviation(Window w) {
    return medianAbsoluteDeviation(w.v());
  }

  static Double timeOfFirst(Window w) {
    return w.t()[0] / 1000.0;
  }

  static Double timeOfLast(Window w) {
    return w.t()[w.t().length - 1] / 1000.0;
  }

  static Double timeOfMax(Window w) {
    return timeOfExtreme(w.t(), w.v(), true);
  }

  static Double timeOfMin(Window w) {
    return timeOfExtreme(w.t(), w.v(), false);
  }

  /**
   * One step of 2.42's {@code kahanSumInc} (Neumaier's variant): returns the new sum and updates
   * {@code compensation[0]}, the running error term that the caller adds at the end.
   */
  private static double kahanAdd(double increment, double sum, double[] compensation) {
    double t = sum + increment;
    if (Math.abs(sum) >= Math.abs(increment)) {
      compensation[0] += (sum - t) + increment;
    } else {
      compensation[0] += (increment - t) + sum;
    }
    return t;
  }

  /** 2.42's avg_over_time: the incremental mean, Kahan-compensated. */
  private static double average(double[] values) {
    double mean = 0;
    double[] c = {0};
    double count = 0;
    for (double v : values) {
      count++;
      if (Double.isInfinite(mean)) {
        if (Double.isInfinite(v) && (mean > 0) == (v > 0)) {
          continue;
        }
        if (!Double.isInfinite(v) && !Double.isNaN(v)) {
          continue;
        }
      }
      mean = kahanAdd(v / count - mean / count, mean, c);
    }
    return Double.isInfinite(mean) ? mean : mean + c[0];
  }

  private static double extreme(double[] values, boolean max) {
    double result = values[0];
    for (double v : values) {
      if ((max ? v > result : v < result) || Double.isNaN(result)) {
        result = v;
      }
    }
    return result;
  }

  /** 2.42's sum_over_time: Kahan summation. */
  private static double sum(double[] values) {
    double sum = 0;
    double[] c = {0};
    for (double v : values) {
      sum = kahanAdd(v, sum, c);
    }
    return Double.isInfinite(sum) ? sum : sum + c[0];
  }

  /** 2.42's stdvar_over_time: Welford's update with both running terms Kahan-compensated. */
  private static double variance(double[] values) {
    double count = 0;
    double mean = 0;
    double[] cMean = {0};
    double aux = 0;
    double[] cAux = {0};
    for (double v : values) {
      count++;
      double delta = v - (mean + cMean[0]);
      mean = kahanAdd(delta / count, mean, cMean);
      aux = kahanAdd(delta * (v - (mean + cMean[0])), aux, cAux);
    }
    return (aux + cAux[0]) / count;
  }

  /**
   * 2.42's holt_winters (3.x's double_exponential_smoothing): double exponential smoothing of the
   * points; the factors are checked once a series has a point in the window, as Prometheus calls
   * the function only then.
   */
  private static Double smoothed(double[] v, double smoothing, double trend) {
    if (smoothing <= 0 || smoothing >= 1) {
      throw Errors.execution(
          "invalid smoothing factor. Expected: 0 < sf < 1, got: "
              + GoFormat.formatSixDecimals(smoothing));
    }
    if (trend <= 0 || trend >= 1) {
      throw Errors.execution(
          "invalid trend factor. Expected: 0 < tf < 1, got: " + GoFormat.formatSixDecimals(trend));
    }
    if (v.length < 2) {
      return null;
    }
    double previous = 0;
    double level = v[0];
    double slope = v[1] - v[0];
    for (int i = 1; i < v.length; i++) {
      double weighted = smoothing * v[i];
      // The slope at the first step is the initial one; after it, a mix of the last change of
      // the level and the previous slope.
      if (i > 1) {
        slope = trend * (level - previous) + (1 - trend) * slope;
      }
      double carried = (1 - smoothing) * (level + slope);
      previous = level;
      level = weighted + carried;
    }
    return level;
  }

  /** 3.x's mad_over_time: the median of the distances to the median; NaN if a point is NaN. */
  private static double medianAbsoluteDeviation(double[] values) {
    for (double value : values) {
      if (Double.isNaN(value)) {
        return Double.NaN;
      }
    }
    double median = quantile(0.5, values);
    double[] deviations = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      deviations[i] = Math.abs(values[i] - median);
    }
    return quantile(0.5, deviations);
  }

  /**
   * 3.x's ts_of_max_over_time and ts_of_min_over_time: the time of the last point that reaches the
   * extreme (ties move it later), in seconds.
   */
  private static double timeOfExtreme(long[] t, double[] v, boolean max) {
    double extreme = v[0];
    long at = t[0];
    for (int i = 0; i < v.length; i++) {
      if ((max ? v[i] >= extreme : v[i] <= extreme) || Double.isNaN(extreme)) {
        extreme = v[i];
        at = t[i];
      }
    }
    return at / 1000.0;
  }

  private static double quantile(double q, double[] values) {
    List<Sample> samples = new ArrayList<>(values.length);
    for (double v : values) {
      samples.add(new Sample(Labels.EMPTY, v));
    }
    return Aggregation.quantile(q, samples);
  }

  /** 2.42's extrapolatedRate: rate, increase and delta, extrapolated towards the range's ends. */
  private static Double extrapolated(
      long[] t, double[] v, Value.Matrix matrix, long time, boolean counter, boolean rate) {
    if (v.length < 2) {
      return null;
    }
    long rangeStart = time - (matrix.rangeMillis() + matrix.offsetMillis());
    long rangeEnd = time - matrix.offsetMillis();
    int last = v.length - 1;
    double result = v[last] - v[0];
    if (counter) {
      double previous = 0;
      for (double value : v) {
        if (value < previous) {
          result += previous;
        }
        previous = value;
      }
    }
    double durationToStart = (t[0] - rangeStart) / 1000.0;
    double durationToEnd = (rangeEnd - t[last]) / 1000.0;
    double sampledInterval = (t[last] - t[0]) / 1000.0;
    double averageDurationBetweenSamples = sampledInterval / last;
    if (counter && result > 0 && v[0] >= 0) {
      double durationToZero = sampledInterval * (v[0] / result);
      if (durationToZero < durationToStart) {
        durationToStart = durationToZero;
      }
    }
    double threshold = averageDurationBetweenSamples * 1.1;
    double extrapolateTo = sampledInterval;
    extrapolateTo +=
        durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
    extrapolateTo += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
    double factor = extrapolateTo / sampledInterval;
    if (rate) {
      factor /= matrix.rangeMillis() / 1000.0;
    }
    return result * factor;
  }

  /** irate and idelta: the last two points. */
  private static Double instant(long[] t, double[] v, boolean rate) {
    if (v.length < 2) {
      return null;
    }
    int last = v.length - 1;
    double result = rate && v[last] < v[last - 1] ? v[last] : v[last] - v[last - 1];
    if (!rate) {
      return result;
    }
    long interval = t[last] - t[last - 1];
    if (interval == 0) {
      return null;
    }
    return result / (interval / 1000.0);
  }

  private static double changes(double[] v, boolean resets) {
    double count = 0;
    for (int i = 1; i < v.length; i++) {
      boolean counted =
          resets
              ? v[i] < v[i - 1]
              : !(v[i] == v[i - 1] || (Double.isNaN(v[i]) && Double.isNaN(v[i - 1])));
      if (counted) {
        count++;
      }
    }
    return count;
  }

  /** 2.42's deriv: the least-squares slope, times relative to the first point. */
  private static Double deriv(long[] t, double[] v) {
    if (v.length < 2) {
      return null;
    }
    return linearRegression(t, v, t[0])[0];
  }

  /**
   * 2.42's predict_linear: the least-squares line with times relative to the evaluation time (its
   * intercept is the value now), extended by {@code seconds}.
   */
  private static Double predictLinear(long[] t, double[] v, long time, double seconds) {
    if (v.length < 2) {
      return null;
    }
    double[] line = linearRegression(t, v, time);
    return line[0] * seconds + line[1];
  }

  /** 2.42's linearRegression: slope and intercept at {@code interceptTime}, by Kahan sums. */
  private static double[] linearRegression(long[] t, double[] v, long interceptTime) {
    boolean constant = true;
    for (double value : v) {
      constant &= value == v[0];
    }
    if (constant) {
      return Double.isInfinite(v[0])
          ? new double[] {Double.NaN, Double.NaN}
          : new double[] {0.0, v[0]};
    }
    double n = 0;
    double sumX = 0;
    double sumY = 0;
    double sumXY = 0;
    double sumX2 = 0;
    double[] cX = {0};
    double[] cY = {0};
    double[] cXY = {0};
    double[] cX2 = {0};
    for (int i = 0; i < v.length; i++) {
      double x = (t[i] - interceptTime) / 1000.0;
      n++;
      sumX = kahanAdd(x, sumX, cX);
      sumY = kahanAdd(v[i], sumY, cY);
      sumXY = kahanAdd(x * v[i], sumXY, cXY);
      sumX2 = kahanAdd(x * x, sumX2, cX2);
    }
    sumX += cX[0];
    sumY += cY[0];
    sumXY += cXY[0];
    sumX2 += cX2[0];
    double covXY = sumXY - sumX * sumY / n;
    double varX = sumX2 - sumX * sumX / n;
    double slope = covXY / varX;
    return new double[] {slope, sumY / n - slope * sumX / n};
  }
}
