package io.promroute.benchmarks;

import io.promroute.promql.PromQL;
import io.promroute.shard.ShardRewriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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
 * {@link DashboardQueryBenchmark}'s three routes for each query on its own, to see which queries
 * cost most. Median per query (sample mode); run it by name, it is not part of the main figures.
 * Every query runs in a fresh JVM, so the warm-up must be long enough for the JIT to compile the
 * ANTLR parser: with 0.4 s the medians were ten times too high.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class PerQueryBenchmark {

  private static final Pattern CLUSTER_MATCHER = Pattern.compile("cluster=\"[^\"]*\",?\\s*");

  /** The query's index in {@code dashboard-queries.txt}, counting from 0. */
  @Param({
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30"
  })
  public int index;

  private String query;
  private ShardRewriter rewriter;

  @Setup
  public void setUp() {
    List<String> queries = DashboardQueryBenchmark.readQueries();
    query = queries.get(index);
    rewriter =
        ShardRewriter.builder().shardLabel("cluster").shards(DashboardQueryBenchmark.SHARDS).build();
  }

  @Benchmark
  public String regexReplace() {
    return CLUSTER_MATCHER.matcher(query).replaceAll("");
  }

  @Benchmark
  public String parseAndPrint() {
    return PromQL.print(PromQL.parse(query));
  }

  @Benchmark
  public String parseRewriteAndPrint() {
    return rewriter.rewrite(query).query();
  }
}
