package io.promroute.plan;

import io.promroute.api.NativeHistogram;

/**
 * One element of an instant vector at one evaluation step.
 *
 * @param value the float value; 0 for a histogram sample, as Prometheus 2.42's engine reads it
 *     wherever it computes with floats (a new sample made from {@code value} drops the histogram,
 *     as 2.42's functions and operators do)
 * @param histogram the native histogram, null for a float sample
 */
record Sample(Labels labels, double value, NativeHistogram histogram) {

  /** A float sample. */
  Sample(Labels labels, double value) {
    this(labels, value, null);
  }
}
