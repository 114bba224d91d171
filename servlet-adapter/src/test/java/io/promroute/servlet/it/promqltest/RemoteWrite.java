package io.promroute.servlet.it.promqltest;

import io.promroute.servlet.it.promqltest.TestScript.Sample;
import io.promroute.servlet.it.promqltest.TestScript.Series;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Pushes series into a Prometheus started with {@code --web.enable-remote-write-receiver}: the way
 * in for stale markers, which promtool's OpenMetrics import cannot write. A remote-write 1.0
 * request is a protobuf {@code WriteRequest} in snappy's block format; both are small enough to
 * write by hand (the snappy block holds one literal: valid, uncompressed).
 */
final class RemoteWrite {

  /** Prometheus's stale marker, a NaN with this bit pattern ({@code value.StaleNaN}). */
  static final long STALE_NAN_BITS = 0x7ff0000000000002L;

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private RemoteWrite() {}

  /**
   * Writes the series (each one's samples in time order) to {@code base}'s {@code /api/v1/write}.
   */
  static void write(URI base, List<Series> series) throws IOException, InterruptedException {
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(base.resolve("/api/v1/write"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(snappyLiteral(writeRequest(series))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          "remote write to " + base + " failed: " + response.statusCode() + " " + response.body());
    }
  }

  /** {@code WriteRequest { repeated TimeSeries timeseries = 1; }}. */
  static byte[] writeRequest(List<Series> series) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Series one : series) {
      lengthDelimited(out, 1, timeSeries(one));
    }
    return out.toByteArray();
  }

  /**
   * {@code TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }}, labels sorted
   * by name; {@code Label { string name = 1; string value = 2; }}; {@code Sample { double value =
   * 1; int64 timestamp = 2; }}.
   */
  private static byte[] timeSeries(Series series) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, String> label : series.labels().entrySet()) {
      ByteArrayOutputStream encoded = new ByteArrayOutputStream();
      lengthDelimited(encoded, 1, label.getKey().getBytes(StandardCharsets.UTF_8));
      lengthDelimited(encoded, 2, label.getValue().getBytes(StandardCharsets.UTF_8));
      lengthDelimited(out, 1, encoded.toByteArray());
    }
    for (Sample sample : series.samples()) {
      ByteArrayOutputStream encoded = new ByteArrayOutputStream();
      encoded.write(1 << 3 | 1); // field 1, 64-bit
      long bits = sample.stale() ? STALE_NAN_BITS : Double.doubleToRawLongBits(sample.value());
      for (int i = 0; i < 8; i++) {
        encoded.write((int) (bits >>> (8 * i)) & 0xff);
      }
      encoded.write(2 << 3); // field 2, varint
      varint(encoded, sample.timeMillis());
      lengthDelimited(out, 2, encoded.toByteArray());
    }
    return out.toByteArray();
  }

  private static void lengthDelimited(ByteArrayOutputStream out, int field, byte[] bytes) {
    out.write(field << 3 | 2);
    varint(out, bytes.length);
    out.writeBytes(bytes);
  }

  private static void varint(ByteArrayOutputStream out, long value) {
    long rest = value;
    while ((rest & ~0x7FL) != 0) {
      out.write((int) (rest & 0x7F) | 0x80);
      rest >>>= 7;
    }
    out.write((int) rest);
  }

  /** Snappy's block format with the whole input as one literal. */
  static byte[] snappyLiteral(byte[] input) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    varint(out, input.length);
    if (input.length == 0) {
      return out.toByteArray();
    }
    long lengthMinusOne = input.length - 1L;
    if (lengthMinusOne < 60) {
      out.write((int) (lengthMinusOne << 2));
    } else {
      int bytes =
          lengthMinusOne < 1 << 8
              ? 1
              : lengthMinusOne < 1 << 16 ? 2 : lengthMinusOne < 1 << 24 ? 3 : 4;
      out.write((59 + bytes) << 2);
      for (int i = 0; i < bytes; i++) {
        out.write((int) (lengthMinusOne >>> (8 * i)) & 0xff);
      }
    }
    out.writeBytes(input);
    return out.toByteArray();
  }
}
