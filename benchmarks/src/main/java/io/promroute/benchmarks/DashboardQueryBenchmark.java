package io.promroute.benchmarks;

import io.promroute.promql.PromQL;
import io.promroute.promql.ast.Expr;
import io.promroute.shard.ShardRewriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost per dashboard query of routing by the AST (parse, then print) against the regex
 * rewrite of the query text that prome-route uses (fast, and wrong on quoting, regex matchers,
 * {@code {}} left behind, and everything that is not a plain {@code cluster="..."}).
 *
 * <p>Each invocation handles the whole corpus once; {@link OperationsPerInvocation} turns the
 * score into time per query, averaged over the corpus. Sample time mode adds the median (p0.50),
 * which a machine shared with other builds disturbs less than the average.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DashboardQueryBenchmark {

  /** The number of queries in {@code dashboard-queries.txt}; checked at setup. */
  static final int QUERIES = 31;

  // prome-route's technique: remove the shard matcher from the text, comma included.
  private static final Pattern CLUSTER_MATCHER = Pattern.compile("cluster=\"[^\"]*\",?\\s*");

  // Every shard the corpus names, so each query routes to exactly one shard.
  static final List<String> SHARDS =
      List.of("eu-west-1", "us-east-2", "prod-a", "prod-b", "kafka-1", "cache-eu", "db-1");

  private String[] queries;
  private Expr[] parsed;
  private ShardRewriter rewriter;

  @Setup
  public void setUp() {
    List<String> lines = readQueries();
    if (lines.size() != QUERIES) {
      throw new IllegalStateException(
          "dashboard-queries.txt has " + lines.size() + " queries, QUERIES says " + QUERIES);
    }
    queries = lines.toArray(new String[0]);
    parsed = new Expr[queries.length];
    for (int index = 0; index < queries.length; index++) {
      parsed[index] = PromQL.parse(queries[index]);
    }
    rewriter = ShardRewriter.builder().shardLabel("cluster").shards(SHARDS).build();
    for (String query : queries) {
      // Every dashboard query must route to exactly one shard: a refusal or a fan-out would
      // measure something else than the route.
      if (rewriter.rewrite(query).shards().size() != 1) {
        throw new IllegalStateException("does not route to one shard: " + query);
      }
    }
  }

  static List<String> readQueries() {
    InputStream stream = DashboardQueryBenchmark.class.getResourceAsStream("/dashboard-queries.txt");
    if (stream == null) {
      throw new IllegalStateException("dashboard-queries.txt is missing");
    }
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      List<String> lines = new ArrayList<>();
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank() && !line.startsWith("#")) {
          lines.add(line);
        }
      }
      return lines;
    } catch (IOException exception) {
      throw new UncheckedIOException(exception);
    }
  }

  /** (a) Baseline: a precompiled regex replace over the query text. */
  @Benchmark
  @OperationsPerInvocation(QUERIES)
  public void regexReplace(Blackhole blackhole) {
    for (String query : queries) {
      blackhole.consume(CLUSTER_MATCHER.matcher(query).replaceAll(""));
    }
  }

  /** (b) The AST route: PromQL.parse, then PromQL.print. */
  @Benchmark
  @OperationsPerInvocation(QUERIES)
  public void parseAndPrint(Blackhole blackhole) {
    for (String query : queries) {
      blackhole.consume(PromQL.print(PromQL.parse(query)));
    }
  }

  /** Parsing alone, to split (b) into its parts. */
  @Benchmark
  @OperationsPerInvocation(QUERIES)
  public void parse(Blackhole blackhole) {
    for (String query : queries) {
      blackhole.consume(PromQL.parse(query));
    }
  }

  /** Printing alone, to split (b) into its parts. */
  @Benchmark
  @OperationsPerInvocation(QUERIES)
  public void print(Blackhole blackhole) {
    for (Expr expr : parsed) {
      blackhole.consume(PromQL.print(expr));
    }
  }

  /**
   * (c) The whole route: {@link ShardRewriter#rewrite(String)} parses, finds the shard, removes
   * the shard matchers and prints the query for the shard.
   */
  @Benchmark
  @OperationsPerInvocation(QUERIES)
  public void parseRewriteAndPrint(Blackhole blackhole) {
    for (String query : queries) {
      blackhole.consume(rewriter.rewrite(query));
    }
  }

  /** The shard rewrite of a parsed query alone, its canonical print included. */
  @Benchmark
  @OperationsPerInvocation(QUERIES)
  public void rewriteAndPrint(Blackhole blackhole) {
    for (Expr expr : parsed) {
      blackhole.consume(rewriter.rewrite(expr));
    }
  }
}
