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

  record Str(String value) implements Value {}
}
