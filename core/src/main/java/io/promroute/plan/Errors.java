package io.promroute.plan;

import io.promroute.api.ApiError;
import io.promroute.api.ApiException;

/** Evaluation errors as Prometheus answers them: HTTP 422, {@code execution}, its own words. */
final class Errors {

  private Errors() {}

  static ApiException execution(String message) {
    return new ApiException(new ApiError(422, "execution", message));
  }

  /** What Prometheus's range evaluation raises when a step's result repeats a label set. */
  static void checkDistinct(java.util.List<Sample> samples) {
    if (samples.size() < 2) {
      return;
    }
    java.util.Set<Labels> seen = new java.util.HashSet<>();
    for (Sample sample : samples) {
      if (!seen.add(sample.labels())) {
        throw execution("vector cannot contain metrics with the same labelset");
      }
    }
  }
}
