package io.promroute.promql;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.promql.internal.grammar.PromQLLexer;
import io.promroute.promql.internal.grammar.PromQLParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;
import org.junit.jupiter.api.Test;

/**
 * The grammar stays cheap to predict: valid queries parse with SLL prediction alone, so the slower
 * full-LL second stage only ever runs for invalid input.
 */
class ParserPredictionTest {

  private static final List<String> DASHBOARD_QUERIES =
      List.of(
          "sum by (job) (rate(http_requests_total{job=\"api\", code=~\"5..\"}[5m]))",
          "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
          "100 * (1 - avg by (instance) (irate(node_cpu_seconds_total{mode=\"idle\"}[1m])))",
          "sum(rate(container_cpu_usage_seconds_total{pod=~\"api-.*\"}[5m])) by (pod)"
              + " / sum(kube_pod_container_resource_limits{resource=\"cpu\"}) by (pod)",
          "up == 0",
          "a / on (x) group_left (y) b",
          "a * ignoring (x) group_right c",
          "topk(10, sum by (namespace) (kube_pod_info))",
          "increase(http_requests_total[1h] offset 1d)",
          "max_over_time(rate(foo[1m])[1h:5m] @ end())",
          "sum without (instance) (foo) > bool 5",
          "label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\")");

  @Test
  void dashboardQueriesNeedOnlySllPrediction() {
    for (String query : DASHBOARD_QUERIES) {
      assertThat(parsesWithSllAlone(query)).as(query).isTrue();
    }
  }

  @Test
  void engineTestQueriesNeedOnlySllPrediction() throws IOException {
    String directory = System.getProperty("promql.conformance.dir");
    Path file = directory == null ? null : Path.of(directory, "eval_queries.txt");
    List<String> queries = new ArrayList<>(DASHBOARD_QUERIES);
    if (file != null && Files.isRegularFile(file)) {
      queries.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
    }
    List<String> needingLl = new ArrayList<>();
    for (String query : queries) {
      if (!query.isBlank() && !parsesWithSllAlone(query)) {
        needingLl.add(query);
      }
    }
    assertThat(needingLl).isEmpty();
  }

  private static boolean parsesWithSllAlone(String query) {
    PromQLLexer lexer = new PromQLLexer(CharStreams.fromString(query));
    lexer.removeErrorListeners();
    PromQLParser parser = new PromQLParser(new CommonTokenStream(lexer));
    parser.removeErrorListeners();
    parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
    parser.setErrorHandler(new BailErrorStrategy());
    try {
      parser.expression();
      return true;
    } catch (ParseCancellationException e) {
      return false;
    }
  }
}
