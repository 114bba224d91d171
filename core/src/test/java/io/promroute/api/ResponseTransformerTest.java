package io.promroute.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseTransformerTest {

  private static String addLabel(Endpoint endpoint, String json, String value, String... warnings)
      throws IOException {
    var out = new ByteArrayOutputStream();
    ResponseTransformer.addShardLabel(endpoint, in(json), out, "cluster", value, List.of(warnings));
    return out.toString(StandardCharsets.UTF_8);
  }

  private static ByteArrayInputStream in(String json) {
    return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String merge(Endpoint endpoint, List<ShardAnswer> answers, String... warnings)
      throws IOException {
    var out = new ByteArrayOutputStream();
    ResponseTransformer.merge(endpoint, answers, out, "cluster", List.of(warnings));
    return out.toString(StandardCharsets.UTF_8);
  }

  private static ShardAnswer answer(String shard, String json) {
    return new ShardAnswer(shard, in(json), true);
  }

  @Test
  void vectorSeriesGetTheShardLabelAtItsSortedPlace() throws IOException {
    String shard =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + "{\"metric\":{\"__name__\":\"up\",\"instance\":\"x:9100\",\"job\":\"node\"},\"value\":[1435781451.781,\"1\"]},"
            + "{\"metric\":{},\"value\":[1435781451.781,\"0\"]}]}}";
    assertThat(addLabel(Endpoint.QUERY, shard, "b"))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"__name__\":\"up\",\"cluster\":\"b\",\"instance\":\"x:9100\",\"job\":\"node\"},\"value\":[1435781451.781,\"1\"]},"
                + "{\"metric\":{\"cluster\":\"b\"},\"value\":[1435781451.781,\"0\"]}]}}");
  }

  @Test
  void labelSortedAfterEveryExistingLabelGoesLast() throws IOException {
    String shard =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            + "{\"metric\":{\"a\":\"1\",\"B\":\"2\"},\"values\":[[1,\"1\"],[2.5,\"2\"]]}]}}";
    // "B" sorts before "a" in byte order but the shard wrote them in this order; "zone" >
    // "cluster".
    assertThat(addLabel(Endpoint.QUERY_RANGE, shard.replace("\"B\"", "\"zone\""), "a"))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"a\":\"1\",\"cluster\":\"a\",\"zone\":\"2\"},\"values\":[[1,\"1\"],[2.5,\"2\"]]}]}}");
  }

  @Test
  void scalarsPassUnchangedAndWarningsAreAppended() throws IOException {
    String shard =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000,\"2\"]},"
            + "\"warnings\":[\"w1\"],\"infos\":[\"i1\"]}";
    assertThat(addLabel(Endpoint.QUERY, shard, "a", "w2"))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000,\"2\"]},"
                + "\"warnings\":[\"w1\",\"w2\"],\"infos\":[\"i1\"]}");
  }

  @Test
  void warningsAreAddedBeforeInfosWhenTheShardHadNone() throws IOException {
    String shard = "{\"status\":\"success\",\"data\":[],\"infos\":[\"i\"]}";
    assertThat(addLabel(Endpoint.SERIES, shard, "a", "w"))
        .isEqualTo("{\"status\":\"success\",\"data\":[],\"warnings\":[\"w\"],\"infos\":[\"i\"]}");
  }

  @Test
  void statsAndNumbersKeepTheirSpelling() throws IOException {
    String shard =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[],"
            + "\"stats\":{\"timings\":{\"evalTotalTime\":0.000123,\"big\":1e-7},\"samples\":{\"totalQueryableSamples\":12}}}}";
    assertThat(addLabel(Endpoint.QUERY, shard, "a")).isEqualTo(shard);
  }

  @Test
  void stringsAreEscapedAsGoEscapesThem() throws IOException {
    String shard =
        "{\"status\":\"success\",\"data\":[{\"__name__\":\"x\",\"path\":\"a\\u003cb\\u0026c\\\"\\n\"}]}";
    assertThat(addLabel(Endpoint.SERIES, shard, "a"))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":[{\"__name__\":\"x\",\"cluster\":\"a\",\"path\":\"a\\u003cb\\u0026c\\\"\\n\"}]}");
  }

  @Test
  void noLabelIsAddedWhenValueIsNull() throws IOException {
    String shard =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"job\":\"x\"},\"value\":[1,\"1\"]}]}}";
    assertThat(addLabel(Endpoint.QUERY, shard, null)).isEqualTo(shard);
  }

  @Test
  void existingShardLabelIsKept() throws IOException {
    String shard = "{\"status\":\"success\",\"data\":[{\"cluster\":\"own\",\"job\":\"x\"}]}";
    assertThat(addLabel(Endpoint.SERIES, shard, "a")).isEqualTo(shard);
  }

  @Test
  void exemplarSeriesLabelsGetTheLabelButExemplarLabelsDoNot() throws IOException {
    String shard =
        "{\"status\":\"success\",\"data\":[{\"seriesLabels\":{\"__name__\":\"h\",\"job\":\"x\"},"
            + "\"exemplars\":[{\"labels\":{\"trace_id\":\"abc\"},\"value\":\"6\",\"timestamp\":1600096945.479}]}]}";
    assertThat(addLabel(Endpoint.QUERY_EXEMPLARS, shard, "c"))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":[{\"seriesLabels\":{\"__name__\":\"h\",\"cluster\":\"c\",\"job\":\"x\"},"
                + "\"exemplars\":[{\"labels\":{\"trace_id\":\"abc\"},\"value\":\"6\",\"timestamp\":1600096945.479}]}]}");
  }

  @Test
  void rulesAndAlertsGetTheLabel() throws IOException {
    String shard =
        "{\"status\":\"success\",\"data\":{\"groups\":[{\"name\":\"g\",\"file\":\"f.yml\",\"rules\":["
            + "{\"state\":\"firing\",\"name\":\"Down\",\"query\":\"up == 0\",\"labels\":{\"severity\":\"page\"},"
            + "\"alerts\":[{\"labels\":{\"alertname\":\"Down\",\"severity\":\"page\"},\"state\":\"firing\",\"value\":\"0e+00\"}],\"type\":\"alerting\"},"
            + "{\"name\":\"r\",\"query\":\"sum(up)\",\"health\":\"ok\",\"type\":\"recording\"}],\"interval\":15}]}}";
    assertThat(addLabel(Endpoint.RULES, shard, "a"))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"groups\":[{\"name\":\"g\",\"file\":\"f.yml\",\"rules\":["
                + "{\"state\":\"firing\",\"name\":\"Down\",\"query\":\"up == 0\",\"labels\":{\"cluster\":\"a\",\"severity\":\"page\"},"
                + "\"alerts\":[{\"labels\":{\"alertname\":\"Down\",\"cluster\":\"a\",\"severity\":\"page\"},\"state\":\"firing\",\"value\":\"0e+00\"}],\"type\":\"alerting\"},"
                + "{\"name\":\"r\",\"query\":\"sum(up)\",\"health\":\"ok\",\"type\":\"recording\"}],\"interval\":15}]}}");
  }

  @Test
  void vectorsOfSeveralShardsAreConcatenatedInShardOrderWithMergedWarnings() throws IOException {
    String a =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"job\":\"x\"},\"value\":[1,\"1\"]}]},\"warnings\":[\"w\"]}";
    String b =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"job\":\"y\"},\"value\":[1,\"2\"]}]},\"warnings\":[\"w\",\"v\"]}";
    String empty = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
    assertThat(
            merge(
                Endpoint.QUERY,
                List.of(answer("a", a), answer("b", b), answer("c", empty)),
                "extra"))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"cluster\":\"a\",\"job\":\"x\"},\"value\":[1,\"1\"]},"
                + "{\"metric\":{\"cluster\":\"b\",\"job\":\"y\"},\"value\":[1,\"2\"]}]},"
                + "\"warnings\":[\"w\",\"v\",\"extra\"]}");
  }

  @Test
  void rangeMatricesOfSeveralShardsAreMergedSortedByLabelSetAsPrometheusSortsThem()
      throws IOException {
    String a =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            + "{\"metric\":{\"__name__\":\"up\",\"job\":\"x\"},\"values\":[[1,\"1\"]]}]},\"warnings\":[\"wa\"]}";
    String b =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            + "{\"metric\":{\"__name__\":\"aa\"},\"values\":[[1,\"2\"]]},"
            + "{\"metric\":{\"__name__\":\"up\",\"job\":\"w\"},\"values\":[[1,\"3\"],[2,\"4\"]]},"
            + "{\"metric\":{\"__name__\":\"up\",\"job\":\"y\"},\"histograms\":[[1,{\"count\":\"1\"}]]}],"
            + "\"stats\":{\"x\":1}},\"infos\":[\"ib\"]}";
    assertThat(merge(Endpoint.QUERY_RANGE, List.of(answer("a", a), answer("b", b))))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"__name__\":\"aa\",\"cluster\":\"b\"},\"values\":[[1,\"2\"]]},"
                + "{\"metric\":{\"__name__\":\"up\",\"cluster\":\"a\",\"job\":\"x\"},\"values\":[[1,\"1\"]]},"
                + "{\"metric\":{\"__name__\":\"up\",\"cluster\":\"b\",\"job\":\"w\"},\"values\":[[1,\"3\"],[2,\"4\"]]},"
                + "{\"metric\":{\"__name__\":\"up\",\"cluster\":\"b\",\"job\":\"y\"},\"histograms\":[[1,{\"count\":\"1\"}]]}]},"
                + "\"warnings\":[\"wa\"],\"infos\":[\"ib\"]}");
  }

  @Test
  void rangeMergeKeepsEscapesAndSamplesAsTheShardsWroteThemAndSortsByDecodedLabels()
      throws IOException {
    // "\u0062" is "b": it sorts with the decoded text, and is written back as the shard wrote it.
    String a =
        "{ \"status\" : \"success\", \"data\" : { \"resultType\" : \"matrix\", \"result\" : [ "
            + "{ \"metric\" : { \"job\" : \"\\u0062\" } , \"values\" : [ [ 1 , \"1e-7\" ] ] } ] } }";
    String b =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            + "{\"metric\":{\"job\":\"a\\\"]}\"},\"values\":[[1,\"NaN\"]]},"
            + "{\"metric\":{\"job\":\"c\"},\"values\":[]}]},\"warnings\":[],\"infos\":[\"i\"]}";
    assertThat(merge(Endpoint.QUERY_RANGE, List.of(answer("a", a), answer("b", b))))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"cluster\":\"a\",\"job\":\"\\u0062\"},\"values\":[ [ 1 , \"1e-7\" ] ]},"
                + "{\"metric\":{\"cluster\":\"b\",\"job\":\"a\\\"]}\"},\"values\":[[1,\"NaN\"]]},"
                + "{\"metric\":{\"cluster\":\"b\",\"job\":\"c\"},\"values\":[]}]},"
                + "\"infos\":[\"i\"]}");
  }

  @Test
  void aRangeAnswerCutShortInAMergeNamesTheShard() {
    String good = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";
    String cut =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[1,";
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> merge(Endpoint.QUERY_RANGE, List.of(answer("a", good), answer("b", cut))))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("shard \"b\" answered invalid JSON");
  }

  @Test
  void malformedShardAnswerInAMergeNamesTheShard() {
    String good = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> merge(Endpoint.QUERY, List.of(answer("a", good), answer("b", "<html>"))))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("shard \"b\" answered invalid JSON");
  }

  @Test
  void matrixOfEmptyShardsIsAnEmptyMatrix() throws IOException {
    String empty = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";
    assertThat(merge(Endpoint.QUERY_RANGE, List.of(answer("a", empty), answer("b", empty))))
        .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}");
  }

  @Test
  void seriesAreUnionedDedupedAndSortedAsPrometheusSortsLabelSets() throws IOException {
    String a =
        "{\"status\":\"success\",\"data\":[{\"__name__\":\"up\",\"job\":\"x\"},{\"__name__\":\"zz\"}]}";
    String b =
        "{\"status\":\"success\",\"data\":[{\"__name__\":\"up\",\"job\":\"x\"},{\"__name__\":\"aa\"}]}";
    assertThat(merge(Endpoint.SERIES, List.of(answer("b", b), answer("a", a))))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":["
                + "{\"__name__\":\"aa\",\"cluster\":\"b\"},"
                + "{\"__name__\":\"up\",\"cluster\":\"a\",\"job\":\"x\"},"
                + "{\"__name__\":\"up\",\"cluster\":\"b\",\"job\":\"x\"},"
                + "{\"__name__\":\"zz\",\"cluster\":\"a\"}]}");
  }

  @Test
  void labelNamesUnionIncludesTheShardLabel() throws IOException {
    String a = "{\"status\":\"success\",\"data\":[\"__name__\",\"job\"]}";
    String b = "{\"status\":\"success\",\"data\":[\"__name__\",\"instance\"]}";
    assertThat(merge(Endpoint.LABELS, List.of(answer("a", a), answer("b", b))))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":[\"__name__\",\"cluster\",\"instance\",\"job\"]}");
  }

  @Test
  void unionLongerThanTheLimitIsCutWhenAShardCutItsOwnAnswer() throws IOException {
    String a =
        "{\"status\":\"success\",\"data\":[\"x\",\"z\"],\"warnings\":[\"results truncated due to limit\"]}";
    String b = "{\"status\":\"success\",\"data\":[\"y\"]}";
    var out = new ByteArrayOutputStream();
    ResponseTransformer.merge(
        Endpoint.LABEL_VALUES,
        List.of(answer("a", a), answer("b", b)),
        out,
        "cluster",
        List.of(),
        2);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":[\"x\",\"y\"],\"warnings\":[\"results truncated due to limit\"]}");
  }

  @Test
  void unionIsNotCutWhenNoShardAppliedTheLimitAsPrometheus2IgnoresIt() throws IOException {
    String a = "{\"status\":\"success\",\"data\":[\"x\",\"z\"]}";
    String b = "{\"status\":\"success\",\"data\":[\"y\"]}";
    var out = new ByteArrayOutputStream();
    ResponseTransformer.merge(
        Endpoint.LABEL_VALUES,
        List.of(answer("a", a), answer("b", b)),
        out,
        "cluster",
        List.of(),
        2);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"status\":\"success\",\"data\":[\"x\",\"y\",\"z\"]}");
  }

  @Test
  void labelNamesOfShardsWithNoMatchingSeriesDoNotIncludeTheShardLabel() throws IOException {
    String a = "{\"status\":\"success\",\"data\":[]}";
    assertThat(merge(Endpoint.LABELS, List.of(answer("a", a))))
        .isEqualTo("{\"status\":\"success\",\"data\":[]}");
  }

  @Test
  void labelValuesAreUnionedInByteOrder() throws IOException {
    String a = "{\"status\":\"success\",\"data\":[\"a\",\"Z\",\"\\u00e9\"]}";
    String b = "{\"status\":\"success\",\"data\":[\"a\",\"b\"]}";
    assertThat(merge(Endpoint.LABEL_VALUES, List.of(answer("a", a), answer("b", b))))
        .isEqualTo("{\"status\":\"success\",\"data\":[\"Z\",\"a\",\"b\",\"\u00e9\"]}");
  }

  @Test
  void metadataMapsAreMergedWithDistinctEntries() throws IOException {
    String a =
        "{\"status\":\"success\",\"data\":{\"up\":[{\"type\":\"gauge\",\"help\":\"Up.\",\"unit\":\"\"}]}}";
    String b =
        "{\"status\":\"success\",\"data\":{\"go_gc\":[{\"type\":\"summary\",\"help\":\"GC.\",\"unit\":\"\"}],"
            + "\"up\":[{\"type\":\"gauge\",\"help\":\"Up.\",\"unit\":\"\"},{\"type\":\"gauge\",\"help\":\"Other.\",\"unit\":\"\"}]}}";
    assertThat(merge(Endpoint.METADATA, List.of(answer("a", a), answer("b", b))))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"go_gc\":[{\"type\":\"summary\",\"help\":\"GC.\",\"unit\":\"\"}],"
                + "\"up\":[{\"type\":\"gauge\",\"help\":\"Up.\",\"unit\":\"\"},{\"type\":\"gauge\",\"help\":\"Other.\",\"unit\":\"\"}]}}");
  }

  @Test
  void metadataUnionKeepsAtMostLimitMetrics() throws IOException {
    String a =
        "{\"status\":\"success\",\"data\":{\"b\":[{\"type\":\"gauge\",\"help\":\"B\",\"unit\":\"\"}]}}";
    String c =
        "{\"status\":\"success\",\"data\":{\"a\":[{\"type\":\"counter\",\"help\":\"A\",\"unit\":\"\"}]}}";
    var out = new ByteArrayOutputStream();
    ResponseTransformer.merge(
        Endpoint.METADATA, List.of(answer("a", a), answer("c", c)), out, "cluster", List.of(), 1);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"a\":[{\"type\":\"counter\",\"help\":\"A\",\"unit\":\"\"}]}}");
  }

  @Test
  void rulesGroupsAreConcatenated() throws IOException {
    String a = "{\"status\":\"success\",\"data\":{\"groups\":[{\"name\":\"ga\",\"rules\":[]}]}}";
    String b =
        "{\"status\":\"success\",\"data\":{\"groups\":[{\"name\":\"gb\",\"rules\":[{\"labels\":{},\"type\":\"alerting\"}]}]}}";
    assertThat(merge(Endpoint.RULES, List.of(answer("a", a), answer("b", b))))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"groups\":[{\"name\":\"ga\",\"rules\":[]},"
                + "{\"name\":\"gb\",\"rules\":[{\"labels\":{\"cluster\":\"b\"},\"type\":\"alerting\"}]}]}}");
  }

  @Test
  void emptyResultsHaveTheTypeOneEmptyPrometheusAnswers() throws IOException {
    var vector = new ByteArrayOutputStream();
    ResponseTransformer.emptyResult(
        Endpoint.QUERY, "vector", Instant.ofEpochMilli(1_500), vector, List.of("w"));
    assertThat(vector.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]},\"warnings\":[\"w\"]}");
    var scalar = new ByteArrayOutputStream();
    ResponseTransformer.emptyResult(
        Endpoint.QUERY, "scalar", Instant.ofEpochMilli(1_500), scalar, List.of());
    assertThat(scalar.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1.5,\"NaN\"]}}");
    var series = new ByteArrayOutputStream();
    ResponseTransformer.emptyResult(Endpoint.SERIES, "vector", Instant.EPOCH, series, List.of());
    assertThat(series.toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"status\":\"success\",\"data\":[]}");
  }

  @Test
  void parseQueryAnswersTheTreeInPrometheusShapeWithSortedKeys() throws IOException {
    var selector =
        new io.promroute.promql.ast.VectorSelector(
            "up", List.of(io.promroute.promql.ast.LabelMatcher.equal("job", "x")));
    var sum =
        new io.promroute.promql.ast.AggregateExpr(
            io.promroute.promql.ast.AggregateOp.SUM, selector, null, false, List.of("job"));
    var out = new ByteArrayOutputStream();
    ResponseTransformer.parseQueryAnswer(sum, out);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"expr\":{\"anchored\":false,\"matchers\":["
                + "{\"name\":\"job\",\"type\":\"=\",\"value\":\"x\"},{\"name\":\"__name__\",\"type\":\"=\",\"value\":\"up\"}],"
                + "\"name\":\"up\",\"offset\":0,\"smoothed\":false,\"startOrEnd\":null,\"timestamp\":null,\"type\":\"vectorSelector\"},"
                + "\"grouping\":[\"job\"],\"op\":\"sum\",\"param\":null,\"type\":\"aggregation\",\"without\":false}}");
  }

  @Test
  void timestampsAreSpelledAsPrometheusSpellsThem() {
    assertThat(ResponseTransformer.timestamp(Instant.ofEpochMilli(1435781451781L)))
        .isEqualTo("1435781451.781");
    assertThat(ResponseTransformer.timestamp(Instant.ofEpochMilli(1435781451050L)))
        .isEqualTo("1435781451.05");
    assertThat(ResponseTransformer.timestamp(Instant.ofEpochMilli(1435781451000L)))
        .isEqualTo("1435781451");
  }

  @Test
  void errorEnvelopeHasPrometheusFieldOrder() {
    assertThat(ApiError.badData("invalid parameter \"time\": x").toJson())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"time\\\": x\"}");
  }
}
