package io.promroute.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.promql.PromQL;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Shard queries print matchers sorted; the matchers of an absent() argument are rewritten where
 * that order would change the labels Prometheus 2.42 derives from the written order (compared with
 * the global Prometheus in ExactnessVsGlobalTest).
 */
class AbsentMatcherOrderTest {

  private final ShardRewriter rewriter =
      ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b")).build();

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      # written                                          | sent to the shards
      absent(up{job=~"nod.*", job="missing"})            | absent(up{job!="missing",job="missing"})
      absent(up{job=~"mis.*", job="missing"})            | absent(up{job="missing"})
      absent(up{job="missing", job=~"nod.*"})            | absent(up{job="missing",job=~"nod.*"})
      absent(up{job=~"x", job="y"})                      | absent(up{job!="y",job="y"})
      absent(up{job="y", job!="z"})                      | absent(up{job="y",job="y"})
      absent(up{job="y", job!="y"})                      | absent(up{job!="y",job="y",job="y"})
      absent((up{job=~"x", job="y"}))                    | absent((up{job!="y",job="y"}))
      absent_over_time(up{job=~"y.*", job="y"}[5m])      | absent_over_time(up{job="y"}[5m])
      absent(up{cluster="a", job=~"nod.*", job="missing"}) | absent(up{job!="missing",job="missing"})
      up{job=~"nod.*", job="missing"}                    | up{job="missing",job=~"nod.*"}
      absent(sum(up{job=~"nod.*", job="missing"}))       | absent(sum(up{job="missing",job=~"nod.*"}))
      """)
  void matchersOfAbsentArgumentsGiveTheWrittenOrdersLabelsWhenSorted(String written, String sent) {
    assertThat(rewriter.rewrite(written).query()).isEqualTo(sent);
    assertThat(PromQL.print(PromQL.parse(sent))).isEqualTo(sent);
  }
}
