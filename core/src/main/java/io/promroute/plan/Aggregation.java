package io.promroute.plan;

import io.promroute.api.NativeHistogram;
import io.promroute.compat.GoFormat;
import io.promroute.compat.LabelNames;
import io.promroute.promql.PromQL;
import io.promroute.promql.ast.AggregateOp;
import java.util.ArrayList;
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
        case TOPK -> offer(group.heap, new Sample(metric, v), k, true);
        case BOTTOMK -> offer(group.heap, new Sample(metric, v), k, false);
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
        case TOPK, BOTTOMK -> {
          out.addAll(reversed(group.heap, op == AggregateOp.TOPK));
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

  /**
   * Prometheus 2.42's {@code topk} ({@code top}) or {@code bottomk} step over one sample: its heap
   * ({@code vectorByValueHeap}, or {@code vectorByReverseValueHeap} for bottomk, in Go's {@code
   * container/heap} layout) takes the sample while it holds fewer than k; after that the sample
   * replaces the heap's root, the worst kept, when it beats it or the root is NaN, by a pop and a
   * push. Which of several equal values stay depends on that layout, so it is kept as Go keeps it:
   * against the global Prometheus, over generated sequences with ties and NaNs, this keeps exactly
   * the series it keeps, where "the worst, the later among equals" did not.
   */
  private static void offer(List<Sample> heap, Sample sample, long k, boolean top) {
    if (heap.size() < k) {
      push(heap, sample, top);
      return;
    }
    double worst = heap.get(0).value();
    double v = sample.value();
    // A NaN root gives way to any sample, NaN too, as in 2.42.
    boolean enters = (top ? worst < v : worst > v) || Double.isNaN(worst);
    if (enters) {
      int last = heap.size() - 1;
      swap(heap, 0, last);
      down(heap, 0, last, top);
      heap.remove(last);
      push(heap, sample, top);
    }
  }

  /** The heap's {@code Less}: NaN first, then ascending ({@code top}) or descending. */
  private static boolean less(Sample a, Sample b, boolean top) {
    if (Double.isNaN(a.value())) {
      return true;
    }
    return top ? a.value() < b.value() : a.value() > b.value();
  }

  /** Go's {@code heap.Push}. */
  private static void push(List<Sample> heap, Sample sample, boolean top) {
    heap.add(sample);
    int child = heap.size() - 1;
    while (child > 0) {
      int parent = (child - 1) / 2;
      if (!less(heap.get(child), heap.get(parent), top)) {
        break;
      }
      swap(heap, parent, child);
      child = parent;
    }
  }

  /** Go's {@code container/heap} {@code down} over the first {@code n} elements. */
  private static void down(List<Sample> heap, int from, int n, boolean top) {
    int i = from;
    while (true) {
      int left = 2 * i + 1;
      if (left >= n) {
        return;
      }
      int j = left;
      if (left + 1 < n && less(heap.get(left + 1), heap.get(left), top)) {
        j = left + 1;
      }
      if (!less(heap.get(j), heap.get(i), top)) {
        return;
      }
      swap(heap, i, j);
      i = j;
    }
  }

  private static void swap(List<Sample> heap, int i, int j) {
    heap.set(i, heap.set(j, heap.get(i)));
  }

  /**
   * The kept series in the order Prometheus answers them: {@code sort.Sort(sort.Reverse(heap))},
   * best first. Go sorts fewer than 13 elements by insertion, which keeps equal values in heap
   * order; so does this for any k (Go's pdqsort may order ties otherwise above 12).
   */
  private static List<Sample> reversed(List<Sample> heap, boolean top) {
    List<Sample> sorted = new ArrayList<>(heap);
    for (int i = 1; i < sorted.size(); i++) {
      for (int j = i; j > 0 && less(sorted.get(j - 1), sorted.get(j), top); j--) {
        swap(sorted, j, j - 1);
      }
    }
    return sorted;
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
