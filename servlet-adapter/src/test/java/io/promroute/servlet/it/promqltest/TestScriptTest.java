package io.promroute.servlet.it.promqltest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.servlet.it.promqltest.TestScript.Kind;
import io.promroute.servlet.it.promqltest.TestScript.Sample;
import io.promroute.servlet.it.promqltest.TestScript.Segment;
import io.promroute.servlet.it.promqltest.TestScript.SeriesLine;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The {@code .test} reader, without any server. */
class TestScriptTest {

  private static List<Double> values(String line) {
    return TestScript.seriesLine(line, 1000, "t", 1).samples().stream().map(Sample::value).toList();
  }

  private static List<Long> times(String line) {
    return TestScript.seriesLine(line, 1000, "t", 1).samples().stream()
        .map(Sample::timeMillis)
        .toList();
  }

  @Test
  void expandsTheNotation() {
    assertThat(values("a 0+10x3")).containsExactly(0.0, 10.0, 20.0, 30.0);
    assertThat(values("a -2-2x3")).containsExactly(-2.0, -4.0, -6.0, -8.0);
    assertThat(values("a 1x2")).containsExactly(1.0, 1.0, 1.0);
    assertThat(values("a 1e+100 -1.5e-3 .8 Inf -Inf"))
        .containsExactly(1e100, -1.5e-3, 0.8, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
    assertThat(values("a NaN").get(0)).isNaN();
    // Repeated addition, as the Go parser does: 0.1 three times is not 0.3.
    assertThat(values("a 0+0.1x3").get(3)).isEqualTo(0.1 + 0.1 + 0.1);
  }

  @Test
  void blanksLeaveGapsInTime() {
    assertThat(times("a 1 _ 3 _x2 6")).containsExactly(0L, 2000L, 5000L);
    assertThat(values("a 1 _ 3 _x2 6")).containsExactly(1.0, 3.0, 6.0);
  }

  @Test
  void staleIsAMarker() {
    List<Sample> samples = TestScript.seriesLine("metric 0 1 stale 2", 10_000, "t", 1).samples();
    assertThat(samples).extracting(Sample::stale).containsExactly(false, false, true, false);
    assertThat(samples.get(2).timeMillis()).isEqualTo(20_000);
  }

  @Test
  void readsLabelSets() {
    SeriesLine line =
        TestScript.seriesLine("data{test=\"two samples\",point='a', q=\"\\\"x\\\\\"} 0", 1, "t", 1);
    assertThat(line.labels())
        .isEqualTo(
            new TreeMap<>(
                Map.of("__name__", "data", "test", "two samples", "point", "a", "q", "\"x\\")));
    assertThat(TestScript.seriesLine("{__name__=\"m\"} 1", 1, "t", 1).labels())
        .isEqualTo(Map.of("__name__", "m"));
    assertThat(TestScript.seriesLine("a:b:{} 1", 1, "t", 1).labels())
        .isEqualTo(Map.of("__name__", "a:b:"));
    assertThatThrownBy(() -> TestScript.seriesLine("a{b=c} 1", 1, "f.test", 7))
        .hasMessageStartingWith("f.test:7: expected a quoted string");
  }

  @Test
  void readsDurations() {
    assertThat(TestScript.durationMillis("0", "t", 1)).isZero();
    assertThat(TestScript.durationMillis("1ms", "t", 1)).isEqualTo(1);
    assertThat(TestScript.durationMillis("1h30m", "t", 1)).isEqualTo(5_400_000);
    assertThat(TestScript.durationMillis("8000s", "t", 1)).isEqualTo(8_000_000);
    assertThatThrownBy(() -> TestScript.durationMillis("5x", "t", 3))
        .hasMessage("t:3: not a duration: 5x");
  }

  @Test
  void splitsSegmentsAtClearAndAtALoadAfterEvals() {
    List<Segment> segments =
        TestScript.parse(
            "s.test",
            List.of(
                "load 5m",
                "  a{x=\"1\"} 0+1x2",
                "# a comment ends the block",
                "eval instant at 5m a",
                "  a{x=\"1\"} 1",
                "",
                "eval_ordered instant at 10m sort(a)",
                "  a{x=\"1\"} 2",
                "",
                "load 5m",
                "  b 3",
                "",
                "eval_fail instant at 0m a + on() b",
                "",
                "clear",
                "eval instant at 1m 1+1",
                "  2"));
    assertThat(segments).hasSize(3);
    assertThat(segments.get(0).series()).hasSize(1);
    assertThat(segments.get(0).evals())
        .extracting(TestScript.Eval::kind)
        .containsExactly(Kind.INSTANT, Kind.ORDERED);
    assertThat(segments.get(0).evals().get(1).id()).isEqualTo("s.test:7");
    assertThat(segments.get(1).line()).isEqualTo(13);
    assertThat(segments.get(1).series()).hasSize(2);
    assertThat(segments.get(1).evals())
        .singleElement()
        .satisfies(
            eval -> {
              assertThat(eval.kind()).isEqualTo(Kind.FAIL);
              assertThat(eval.query()).isEqualTo("a + on() b");
            });
    assertThat(segments.get(2).series()).isEmpty();
    assertThat(segments.get(2).evals().get(0).timeMillis()).isEqualTo(60_000);
    assertThat(segments.get(2).evals().get(0).expectedScalar()).hasValue(2.0);
  }

  @Test
  void nativeHistogramSamplesMakeTheSegmentUnreachable() {
    List<Segment> segments =
        TestScript.parse(
            "h.test",
            List.of(
                "load 5m", "  a 1", "  h {{schema:0 sum:1 count:1}}", "", "eval instant at 5m a"));
    assertThat(segments)
        .singleElement()
        .satisfies(
            segment -> {
              assertThat(segment.series()).hasSize(1);
              assertThat(segment.unreachable()).startsWith("native histogram samples (line 3)");
            });
  }

  @Test
  void remoteWriteEncodesProtobufInASnappyLiteral() {
    TestScript.Series series =
        new TestScript.Series(
            new TreeMap<>(Map.of("__name__", "m")), List.of(new Sample(10_000, Double.NaN, true)));
    byte[] request = RemoteWrite.writeRequest(List.of(series));
    // timeseries{labels{name:"__name__" value:"m"} samples{value:StaleNaN timestamp:10000}}
    byte[] expected = {
      0x0A,
      0x1D,
      0x0A,
      0x0D,
      0x0A,
      0x08,
      '_',
      '_',
      'n',
      'a',
      'm',
      'e',
      '_',
      '_',
      0x12,
      0x01,
      'm',
      0x12,
      0x0C,
      0x09,
      0x02,
      0,
      0,
      0,
      0,
      0,
      (byte) 0xF0,
      0x7F,
      0x10,
      (byte) 0x90,
      0x4E
    };
    assertThat(request).containsExactly(expected);
    byte[] snappy = RemoteWrite.snappyLiteral(request);
    assertThat(snappy).startsWith((byte) 31, (byte) (30 << 2));
    assertThat(java.util.Arrays.copyOfRange(snappy, 2, snappy.length)).containsExactly(expected);
    byte[] large = RemoteWrite.snappyLiteral(new byte[300]);
    // varint 300, then tag 61<<2 with a 2-byte length-1 (299 = 0x012B).
    assertThat(large)
        .startsWith((byte) 0xAC, (byte) 0x02, (byte) (61 << 2), (byte) 0x2B, (byte) 0x01);
    assertThat(large).hasSize(5 + 300);
  }

  @Test
  void readsEveryConformanceFile() throws IOException {
    List<Segment> segments = PromqlEngineTestsThroughRouterTest.allSegments();
    assertThat(segments).hasSize(71);
    assertThat(segments.stream().mapToInt(s -> s.evals().size()).sum()).isEqualTo(566);
    assertThat(
            segments.stream().flatMap(s -> s.evals().stream()).filter(e -> e.kind() == Kind.FAIL))
        .hasSize(7);
    assertThat(
            segments.stream()
                .flatMap(s -> s.evals().stream())
                .filter(e -> e.kind() == Kind.ORDERED))
        .hasSize(13);
    assertThat(
            segments.stream()
                .filter(s -> s.series().stream().anyMatch(TestScript.Series::hasStaleMarker)))
        .extracting(Segment::file)
        .containsExactly("staleness.test");
  }
}
