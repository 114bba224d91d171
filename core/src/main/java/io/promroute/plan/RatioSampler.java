package io.promroute.plan;

import io.promroute.compat.GoStrings;
import io.promroute.compat.XxHash64;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Which series Prometheus 3's {@code limit_ratio} keeps: those whose label set hashes below the
 * ratio (or, for a negative ratio, at or above 1 + ratio), the hash being {@code Labels.Hash()} of
 * Prometheus 3.14's default label implementation ({@code stringlabels}): XXH64 of each label's name
 * and value, each preceded by its length (one byte below 255, else 255 and three bytes
 * little-endian), divided by the largest uint64.
 */
final class RatioSampler {

  private static final double MAX_UINT64 = 0x1p64;

  private RatioSampler() {}

  /** Whether {@code limit_ratio(ratio, ...)} keeps the series; {@code ratio} within [-1, 1]. */
  static boolean keeps(double ratio, Labels labels) {
    double offset = offset(labels);
    return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1.0 + ratio);
  }

  /** The series' place in [0, 1]: its label hash over the largest uint64. */
  static double offset(Labels labels) {
    return unsignedToDouble(XxHash64.hash(encoded(labels))) / MAX_UINT64;
  }

  /** Go's float64(uint64): the nearest double, ties to even. */
  private static double unsignedToDouble(long bits) {
    if (bits >= 0) {
      return bits;
    }
    // Halve (keeping the lowest bit so the rounding is the same), convert, double.
    return ((double) ((bits >>> 1) | (bits & 1))) * 2.0;
  }

  private static byte[] encoded(Labels labels) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> pairs = labels.toList();
    for (String text : pairs) {
      byte[] bytes = GoStrings.bytes(text);
      int size = bytes.length;
      if (size < 255) {
        out.write(size);
      } else {
        out.write(255);
        out.write(size & 0xFF);
        out.write((size >>> 8) & 0xFF);
        out.write((size >>> 16) & 0xFF);
      }
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }
}
