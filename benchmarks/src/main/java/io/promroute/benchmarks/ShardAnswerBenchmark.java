package io.promroute.benchmarks;

import io.promroute.api.Endpoint;
import io.promroute.api.ResponseTransformer;
import io.promroute.api.ShardAnswer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What putting the shard label back costs on a shard's answer, against the plain copy of its
 * bytes that a proxy which knows nothing of labels does ({@code transferTo}, the baseline; both
 * write into a 32 KB buffer they keep overwriting, as a container's output buffer).
 *
 * <p>{@code range}: a query_range answer shaped as Prometheus writes it, 9 series of 1,440
 * samples (6 hours at 15 s, about 350 KB, the range answer of {@code benchmarks/proxy-bench.sh});
 * {@code vector}: an instant answer of 9 series (about 1 KB). {@code addShardLabel} is the single
 * shard path of every query; {@code mergeThreeShards} concatenates three such answers (the
 * instant query) or merges them sorted by label set (the range query), as a fan-out does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ShardAnswerBenchmark {

  @Param({"range", "vector"})
  public String shape;

  private byte[] answer;
  private Endpoint endpoint;

  @Setup
  public void setUp() {
    endpoint = shape.equals("range") ? Endpoint.QUERY_RANGE : Endpoint.QUERY;
    answer = answer(shape.equals("range")).getBytes(StandardCharsets.UTF_8);
  }

  static String answer(boolean range) {
    StringBuilder json = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"")
        .append(range ? "matrix" : "vector").append("\",\"result\":[");
    long start = 1_795_590_000L;
    for (int series = 1; series <= 9; series++) {
      json.append(series == 1 ? "" : ",").append("{\"metric\":{\"__name__\":\"node_memory_MemAvailable_bytes\",")
          .append("\"instance\":\"node-").append(series).append(":9100\",\"job\":\"node\"},");
      if (range) {
        json.append("\"values\":[");
        for (int i = 0; i < 1440; i++) {
          json.append(i == 0 ? "" : ",").append('[').append(start + 15L * i).append(",\"")
              .append(7_000_000_000L + 1_000_003L * i * series).append("\"]");
        }
        json.append("]}");
      } else {
        json.append("\"value\":[").append(start).append(".123,\"").append(7_000_000_000L + series).append("\"]}");
      }
    }
    return json.append("]}}").toString();
  }

  @Benchmark
  public long transferTo() throws IOException {
    CountingOutputStream out = new CountingOutputStream();
    new ByteArrayInputStream(answer).transferTo(out);
    return out.count;
  }

  @Benchmark
  public long addShardLabel() throws IOException {
    CountingOutputStream out = new CountingOutputStream();
    ResponseTransformer.addShardLabel(endpoint, new ByteArrayInputStream(answer), out, "cluster", "a", List.of());
    return out.count;
  }

  @Benchmark
  public long mergeThreeShards() throws IOException {
    CountingOutputStream out = new CountingOutputStream();
    List<ShardAnswer> answers = new ArrayList<>();
    for (String shard : List.of("a", "b", "c")) {
      answers.add(new ShardAnswer(shard, new ByteArrayInputStream(answer), true));
    }
    ResponseTransformer.merge(endpoint, answers, out, "cluster", List.of());
    return out.count;
  }

  /**
   * Copies what it is given into a buffer it keeps overwriting, as a servlet container's output
   * buffer is filled before each socket write, and counts it.
   */
  static final class CountingOutputStream extends OutputStream {
    private final byte[] buffer = new byte[32 * 1024];
    long count;

    @Override
    public void write(int b) {
      buffer[(int) (count++ % buffer.length)] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      while (length > 0) {
        int at = (int) (count % buffer.length);
        int n = Math.min(length, buffer.length - at);
        System.arraycopy(bytes, offset, buffer, at, n);
        count += n;
        offset += n;
        length -= n;
      }
    }
  }
}
