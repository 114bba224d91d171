package io.promroute.plan;

import java.util.List;

/** What a plan node evaluates to at one step. */
sealed interface Value {

  /** An instant vector, in evaluation order. */
  record Vector(List<Sample> samples) implements Value {
    public Vector {
      samples = List.copyOf(samples);
    }
  }

  record Scalar(double value) implements Value {}

  /** One series of a range (subquery) value: points in time order. */
  record Series(Labels labels, long[] times, double[] values) {}

  /**
   * A range vector at one step, from a subquery over merged values.
   *
   * @param rangeMillis the range, for rate's extrapolation
   * @param offsetMillis the offset
   */
  record Matrix(List<Series> series, long rangeMillis, long offsetMillis) implements Value {
    public Matrix {
      series = List.copyOf(series);
    }
  }

  record Str(String value) implements Value {}
}
