package io.promroute.plan;

import io.promroute.api.NativeHistogram;
import io.promroute.compat.GoFormat;
import io.promroute.compat.LabelNames;
import io.promroute.promql.PromQL;
import io.promroute.promql.ast.AggregateOp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The router's aggregation over a global (merged) instant vector, with Prometheus 2.42's semantics:
 * groups in order of first appearance, {@code sum} by naive addition (native histograms added as
 * 2.42 adds them; every other aggregation reads a histogram as the value 0), {@code avg} by its
 * incremental mean, {@code stdvar} by Welford, the NaN rule of {@code min}/{@code max}, heaps for
 * {@code topk}/{@code bottomk}, {@code count_values} spelling values with Go's {@code 'f'} format.
 */
final class Aggregation {

  private Aggregation() {}

  private static final class Group {
    final Labels labels;
    double value;
    double mean;
    long count;
    final List<Sample> heap = new ArrayList<>();
    // sum of native histograms (2.42 adds histograms in sum only): a group that has both floats
    // and histograms has no sum.
    boolean hasFloat;
    boolean hasHistogram;
    NativeHistogram histogram;

    Group(Labels labels) {
      this.labels = labels;
    }
  }

  /**
   * @param param the parameter: a Double for topk, bottomk, limitk, limit_ratio and quantile, a
   *     String for count_values, null otherwise
   */
  static List<Sample> evaluate(
      AggregateOp op, Object param, boolean without, List<String> grouping, List<Sample> input) {
    List<String> groupingLabels = new ArrayList<>(grouping);
    String valueLabel = null;
    long k = 0;
    if (op == AggregateOp.COUNT_VALUES) {
      valueLabel = (String) param;
      if (!LabelNames.isLegacy(valueLabel)) {
        throw Errors.execution("invalid label name \"" + valueLabel + "\"");
      }
      if (!without) {
        groupingLabels.add(valueLabel);
      }
    }
    if (op == AggregateOp.TOPK || op == AggregateOp.BOTTOMK) {
      double f = (Double) param;
      if (!(f > -9.223372036854775808e18 && f < 9.223372036854775807e18)) {
        throw Errors.execution("Scalar value " + PromQL.formatSampleValue(f) + " overflows int64");
      }
      k = (long) f;
      if (k < 1) {
        return List.of();
      }
    }
    double ratio = 0;
    if (op == AggregateOp.LIMITK) {
      // Prometheus 3's checks, in its order.
      double f = (Double) param;
      if (f < 1) {
        return List.of();
      }
      if (Double.isNaN(f)) {
        throw Errors.execution("Parameter value is NaN");
      }
      if (f >= 9223372036854774784.0) {
        throw Errors.execution(
            "Scalar value " + GoFormat.formatFloatShortestG(f) + " overflows int64");
      }
      k = (long) f;
    }
    if (op == AggregateOp.LIMIT_RATIO) {
      ratio = (Double) param;
      if (ratio == 0) {
        return List.of();
      }
      if (Double.isNaN(ratio)) {
        throw Errors.execution("Ratio value is NaN");
      }
      // Prometheus caps it (with a warning).
      ratio = Math.max(-1.0, Math.min(1.0, ratio));
    }
    List<String> dropped = new ArrayList<>(groupingLabels);
    dropped.add(Labels.METRIC_NAME);
    Map<Labels, Group> groups = new LinkedHashMap<>();
    for (Sample sample : input) {
      Labels metric = sample.labels();
      if (valueLabel != null) {
        metric = metric.with(valueLabel, PromQL.formatSampleValue(sample.value()));
      }
      Labels key = without ? metric.without(dropped) : metric.keep(groupingLabels);
      Group group = groups.get(key);
      double v = sample.value();
      if (group == null) {
        group = new Group(key);
        groups.put(key, group);
        group.value = v;
        group.mean = v;
        group.count = 1;
        if (sample.histogram() == null) {
          group.hasFloat = true;
        } else if (op == AggregateOp.SUM) {
          group.histogram = sample.histogram();
          group.hasHistogram = true;
        }
        switch (op) {
          case STDVAR, STDDEV -> group.value = 0;
          case TOPK, BOTTOMK, QUANTILE, LIMITK -> group.heap.add(new Sample(metric, v));
          case LIMIT_RATIO -> {
            if (RatioSampler.keeps(ratio, metric)) {
              pushByValue(group.heap, new Sample(metric, v));
            }
          }
          case GROUP -> group.value = 1;
          case SUM, AVG, COUNT, MIN, MAX, COUNT_VALUES -> {}
        }
        continue;
      }
      switch (op) {
        case SUM -> {
          if (sample.histogram() == null) {
            group.hasFloat = true;
            group.value += v;
          } else {
            group.hasHistogram = true;
            if (group.histogram != null) {
              group.histogram = group.histogram.plus(sample.histogram());
            }
          }
        }
        case AVG -> {
          group.count++;
          if (Double.isInfinite(group.mean)) {
            if (Double.isInfinite(v) && (group.mean > 0) == (v > 0)) {
              break;
            }
            if (!Double.isInfinite(v) && !Double.isNaN(v)) {
              break;
            }
          }
          group.mean += v / group.count - group.mean / group.count;
        }
        case GROUP -> {}
        case MAX -> {
          if (group.value < v || Double.isNaN(group.value)) {
            group.value = v;
          }
        }
        case MIN -> {
          if (group.value > v || Double.isNaN(group.value)) {
            group.value = v;
          }
        }
        case COUNT, COUNT_VALUES -> group.count++;
        case STDVAR, STDDEV -> {
          group.count++;
          double delta = v - group.mean;
          group.mean += delta / group.count;
          group.value += delta * (v - group.mean);
        }
        case TOPK -> offer(group, new Sample(metric, v), k, true);
        case BOTTOMK -> offer(group, new Sample(metric, v), k, false);
        case QUANTILE -> group.heap.add(new Sample(metric, v));
        // The first k of each group in input order (kept in a heap by value, as Prometheus).
        case LIMITK -> {
          if (group.heap.size() < k) {
            pushByValue(group.heap, new Sample(metric, v));
          }
        }
        case LIMIT_RATIO -> {
          if (RatioSampler.keeps(ratio, metric)) {
            pushByValue(group.heap, new Sample(metric, v));
          }
        }
      }
    }
    List<Sample> out = new ArrayList<>();
    for (Group group : groups.values()) {
      double value = group.value;
      switch (op) {
        case AVG -> value = group.mean;
        case COUNT, COUNT_VALUES -> value = group.count;
        case STDVAR -> value = group.value / group.count;
        case STDDEV -> value = Math.sqrt(group.value / group.count);
        case TOPK -> {
          // Highest first; among equal values the earlier input first (Go's heap order is
          // unspecified there, this is the closest deterministic choice).
          List<Sample> sorted = new ArrayList<>(group.heap);
          sorted.sort(Comparator.comparingDouble(Aggregation::nanLowest).reversed());
          out.addAll(sorted);
          continue;
        }
        case BOTTOMK -> {
          List<Sample> sorted = new ArrayList<>(group.heap);
          sorted.sort(Comparator.comparingDouble(Aggregation::nanHighest));
          out.addAll(sorted);
          continue;
        }
        case QUANTILE -> value = quantile((Double) param, group.heap);
        case LIMITK, LIMIT_RATIO -> {
          // The kept series with all their labels, in Prometheus's heap order.
          out.addAll(group.heap);
          continue;
        }
        case SUM -> {
          if (group.hasFloat && group.hasHistogram) {
            continue;
          }
        }
        case MIN, MAX, GROUP -> {}
      }
      out.add(new Sample(group.labels, value, group.histogram));
    }
    return out;
  }

  /**
   * Go's {@code heap.Push} on Prometheus's {@code vectorByValueHeap} (NaN, then ascending): the
   * order limitk and limit_ratio answer their series in.
   */
  private static void pushByValue(List<Sample> heap, Sample sample) {
    heap.add(sample);
    int child = heap.size() - 1;
    while (child > 0) {
      int parent = (child - 1) / 2;
      double c = heap.get(child).value();
      if (!(Double.isNaN(c) || c < heap.get(parent).value())) {
        break;
      }
      heap.set(child, heap.set(parent, heap.get(child)));
      child = parent;
    }
  }

  private static double nanLowest(Sample sample) {
    return Double.isNaN(sample.value()) ? Double.NEGATIVE_INFINITY : sample.value();
  }

  private static double nanHighest(Sample sample) {
    return Double.isNaN(sample.value()) ? Double.POSITIVE_INFINITY : sample.value();
  }

  /**
   * Keeps the k best samples: a new sample enters when there is room, or it beats the worst kept
   * one, or the worst kept one is NaN (Prometheus's heap rule). Ties with the worst keep the
   * earlier sample.
   */
  private static void offer(Group group, Sample sample, long k, boolean top) {
    List<Sample> heap = group.heap;
    if (heap.size() < k) {
      heap.add(sample);
      return;
    }
    int worst = 0;
    for (int i = 1; i < heap.size(); i++) {
      if (worse(heap.get(i), heap.get(worst), top)) {
        worst = i;
      }
    }
    double w = heap.get(worst).value();
    double v = sample.value();
    boolean enters = top ? (w < v || Double.isNaN(w)) : (w > v || Double.isNaN(w));
    if (enters) {
      heap.remove(worst);
      heap.add(sample);
    }
  }

  /** Whether a is a worse candidate than b: NaN is worst; among equals, the later one. */
  private static boolean worse(Sample a, Sample b, boolean top) {
    double x = a.value();
    double y = b.value();
    if (Double.isNaN(x) != Double.isNaN(y)) {
      return Double.isNaN(x);
    }
    if (Double.isNaN(x)) {
      return true;
    }
    return top ? x <= y : x >= y;
  }

  /** Prometheus 2.42's {@code quantile}: linear interpolation between closest ranks, NaN lowest. */
  static double quantile(double q, List<Sample> samples) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    double[] values = new double[samples.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = samples.get(i).value();
    }
    // NaN first, then ascending, as vectorByValueHeap's Less orders them.
    Double[] boxed = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    java.util.Arrays.sort(
        boxed,
        (a, b) -> {
          if (a.isNaN() || b.isNaN()) {
            return Boolean.compare(!a.isNaN(), !b.isNaN());
          }
          return Double.compare(a, b) == 0 ? 0 : (a < b ? -1 : (a > b ? 1 : 0));
        });
    double n = boxed.length;
    double rank = q * (n - 1);
    double lowerIndex = Math.max(0, Math.floor(rank));
    double upperIndex = Math.min(n - 1, lowerIndex + 1);
    double weight = rank - Math.floor(rank);
    return boxed[(int) lowerIndex] * (1 - weight) + boxed[(int) upperIndex] * weight;
  }
}
