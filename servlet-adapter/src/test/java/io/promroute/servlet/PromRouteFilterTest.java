package io.promroute.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.router.FakeRouting;
import io.promroute.router.ShardTarget;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromRouteFilterTest {

  // Package-private members: JettyApiHandlerTest (examples) runs every test here through the
  // standalone router's Jetty handler.

  private static final String VECTOR_A =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
          + "{\"metric\":{\"__name__\":\"up\",\"job\":\"node\"},\"value\":[1700000000,\"1\"]}]}}";
  private static final String VECTOR_B =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
          + "{\"metric\":{\"__name__\":\"up\",\"job\":\"db\"},\"value\":[1700000000,\"0\"]}]}}";

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  FakeShard a;
  FakeShard b;
  Server router;
  private PromRouteFilter filter;
  final List<AutoCloseable> closeables = new ArrayList<>();

  record Reply(int status, String body) {}

  /**
   * The idle timeout of the router's connector; a test may shorten it before starting the router.
   */
  Duration connectionIdleTimeout = Duration.ofSeconds(30);

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  @BeforeEach
  void startShards() throws Exception {
    a = new FakeShard();
    b = new FakeShard();
    closeables.add(a);
    closeables.add(b);
  }

  @AfterEach
  void stop() throws Exception {
    if (router != null) {
      router.stop();
    }
    if (filter != null) {
      filter.destroy();
    }
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  void startRouter(UnaryOperator<PromRouteFilter.Builder> configure) throws Exception {
    startRouter(a.uri(), b.uri(), configure);
  }

  void startRouter(URI shardA, URI shardB, UnaryOperator<PromRouteFilter.Builder> configure)
      throws Exception {
    serve(
        configure.apply(
            PromRouteFilter.builder()
                .routing(new FakeRouting())
                .shardLabel("cluster")
                .shard("a", ShardTarget.of(shardA))
                .shard("b", ShardTarget.of(shardB))));
  }

  /**
   * Starts {@link #router} serving what {@code builder} configures, with an application behind it
   * that answers every other path; a subclass tests another transport of the same engine.
   */
  void serve(PromRouteFilter.Builder builder) throws Exception {
    filter = builder.build();
    router = new Server();
    ServerConnector connector = new ServerConnector(router);
    connector.setIdleTimeout(connectionIdleTimeout.toMillis());
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    router.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    FilterHolder holder = new FilterHolder(filter);
    holder.setAsyncSupported(true);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(
        new ServletHolder(
            new HttpServlet() {
              private static final long serialVersionUID = 1L;

              @Override
              protected void service(HttpServletRequest request, HttpServletResponse response)
                  throws IOException {
                response.setStatus(200);
                response.getWriter().write("application:" + request.getRequestURI());
              }
            }),
        "/*");
    router.setHandler(context);
    router.start();
  }

  URI routerUri(String pathAndQuery) {
    return URI.create(
        "http://127.0.0.1:"
            + ((ServerConnector) router.getConnectors()[0]).getLocalPort()
            + pathAndQuery);
  }

  Reply get(String pathAndQuery, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(routerUri(pathAndQuery)).timeout(Duration.ofSeconds(20));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response =
        http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body());
  }

  Reply post(String pathAndQuery, String form) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(routerUri(pathAndQuery))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body());
  }

  static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Test
  void instantQueryGoesToItsShardRewrittenAndComesBackWithTheShardLabel() throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    startRouter(builder -> builder);

    Reply reply =
        get("/api/v1/query?query=" + enc("up{cluster=\"a\"}") + "&time=1700000000&stats=all");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"__name__\":\"up\",\"cluster\":\"a\",\"job\":\"node\"},\"value\":[1700000000,\"1\"]}]}}");
    FakeShard.Received received = a.only();
    assertThat(received.method()).isEqualTo("GET");
    assertThat(received.query()).isEqualTo("query=up&time=1700000000&stats=all");
    assertThat(b.received).isEmpty();
  }

  @Test
  void postedFormIsForwardedAsAFormWithTheRewrittenQueryExactlyOnce() throws Exception {
    a.answer(
        "/api/v1/query_range",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}");
    startRouter(builder -> builder);

    Reply reply =
        post(
            "/api/v1/query_range?timeout=30s",
            "query=" + enc("up{cluster=\"a\"}") + "&start=1&end=61&step=15");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body())
        .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}");
    FakeShard.Received received = a.only();
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.query()).isNull();
    assertThat(received.body()).isEqualTo("query=up&start=1&end=61&step=15&timeout=30s");
    assertThat(received.headers())
        .containsEntry("content-type", "application/x-www-form-urlencoded");
  }

  @Test
  void bodyQueryWinsOverUrlQueryAsInPrometheus() throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    startRouter(builder -> builder);

    Reply reply =
        post(
            "/api/v1/query?query=" + enc("up{cluster=\"b\"}"), "query=" + enc("up{cluster=\"a\"}"));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(a.only().body()).isEqualTo("query=up");
    assertThat(b.received).isEmpty();
  }

  @Test
  void queryOverSeveralShardsConcatenatesTheirSeriesEachWithItsLabel() throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    b.answer("/api/v1/query", VECTOR_B);
    startRouter(builder -> builder);

    Reply reply = get("/api/v1/query?query=up");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"__name__\":\"up\",\"cluster\":\"a\",\"job\":\"node\"},\"value\":[1700000000,\"1\"]},"
                + "{\"metric\":{\"__name__\":\"up\",\"cluster\":\"b\",\"job\":\"db\"},\"value\":[1700000000,\"0\"]}]}}");
  }

  @Test
  void queryWithoutSelectorIsAnsweredByOneShardUnchanged() throws Exception {
    a.answer(
        "/api/v1/query",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000,\"2\"]}}");
    startRouter(builder -> builder);

    Reply reply = get("/api/v1/query?query=" + enc("1+1"));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000,\"2\"]}}");
    assertThat(b.received).isEmpty();
  }

  @Test
  void seriesOfAllShardsAreUnionedAndSorted() throws Exception {
    a.answer(
        "/api/v1/series",
        "{\"status\":\"success\",\"data\":[{\"__name__\":\"up\",\"job\":\"node\"}]}");
    b.answer(
        "/api/v1/series",
        "{\"status\":\"success\",\"data\":[{\"__name__\":\"up\",\"job\":\"db\"}]}");
    startRouter(builder -> builder);

    Reply reply = post("/api/v1/series", "match[]=up&start=1&end=2");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":[{\"__name__\":\"up\",\"cluster\":\"a\",\"job\":\"node\"},"
                + "{\"__name__\":\"up\",\"cluster\":\"b\",\"job\":\"db\"}]}");
    assertThat(a.only().body()).isEqualTo("match%5B%5D=up&start=1&end=2");
  }

  @Test
  void aSeriesUnionOverTheSeriesLimitIsRefusedAndTheRouterKeepsServing() throws Exception {
    a.answer(
        "/api/v1/series",
        "{\"status\":\"success\",\"data\":[{\"__name__\":\"up\",\"job\":\"node\"}]}");
    b.answer(
        "/api/v1/series",
        "{\"status\":\"success\",\"data\":[{\"__name__\":\"up\",\"job\":\"db\"}]}");
    startRouter(builder -> builder.maxSeries(1));

    Reply refused = post("/api/v1/series", "match[]=up&start=1&end=2");
    a.answer("/api/v1/query", VECTOR_A);
    Reply next = get("/api/v1/query?query=" + enc("up{cluster=\"a\"}"));

    assertThat(refused)
        .isEqualTo(
            new Reply(
                422,
                "{\"status\":\"error\",\"errorType\":\"execution\","
                    + "\"error\":\"the merged answer has more than 1 series, the router's limit (limits.max_series)\"}"));
    assertThat(next.status()).isEqualTo(200);
  }

  @Test
  void eachMatchGoesOnlyToTheShardsItSelects() throws Exception {
    a.answer("/api/v1/label/job/values", "{\"status\":\"success\",\"data\":[\"node\"]}");
    b.answer("/api/v1/label/job/values", "{\"status\":\"success\",\"data\":[\"db\"]}");
    startRouter(builder -> builder);

    Reply reply =
        get(
            "/api/v1/label/job/values?match[]="
                + enc("up{cluster=\"a\"}")
                + "&match[]="
                + enc("up{cluster=\"b\"}"));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("{\"status\":\"success\",\"data\":[\"db\",\"node\"]}");
    assertThat(a.only().query()).isEqualTo("match%5B%5D=up");
    assertThat(b.only().query()).isEqualTo("match%5B%5D=up");
  }

  @Test
  void labelNamesIncludeTheShardLabel() throws Exception {
    a.answer("/api/v1/labels", "{\"status\":\"success\",\"data\":[\"__name__\",\"job\"]}");
    b.answer("/api/v1/labels", "{\"status\":\"success\",\"data\":[\"__name__\",\"instance\"]}");
    startRouter(builder -> builder);

    Reply reply = post("/api/v1/labels", "");

    assertThat(reply.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":[\"__name__\",\"cluster\",\"instance\",\"job\"]}");
  }

  @Test
  void shardLabelValuesAreTheShardKeysWithoutAskingAnyShard() throws Exception {
    startRouter(builder -> builder);

    Reply reply = get("/api/v1/label/cluster/values");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("{\"status\":\"success\",\"data\":[\"a\",\"b\"]}");
    assertThat(a.received).isEmpty();
    assertThat(b.received).isEmpty();
  }

  @Test
  void shardLabelValuesWithMatchAreTheShardsThatHaveMatchingSeries() throws Exception {
    a.answer("/api/v1/labels", "{\"status\":\"success\",\"data\":[]}");
    b.answer("/api/v1/labels", "{\"status\":\"success\",\"data\":[\"__name__\"]}");
    startRouter(builder -> builder);

    Reply reply = get("/api/v1/label/cluster/values?match[]=up");

    assertThat(reply.body()).isEqualTo("{\"status\":\"success\",\"data\":[\"b\"]}");
  }

  @Test
  void rulesOfAllShardsAreConcatenatedWithTheLabelOnRulesAndAlerts() throws Exception {
    a.answer(
        "/api/v1/rules",
        "{\"status\":\"success\",\"data\":{\"groups\":[{\"name\":\"g\",\"rules\":[{\"labels\":{\"severity\":\"page\"},"
            + "\"alerts\":[{\"labels\":{\"alertname\":\"Down\"}}]}]}]}}");
    b.answer("/api/v1/rules", "{\"status\":\"success\",\"data\":{\"groups\":[]}}");
    startRouter(builder -> builder);

    Reply reply = get("/api/v1/rules");

    assertThat(reply.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"groups\":[{\"name\":\"g\",\"rules\":[{\"labels\":{\"cluster\":\"a\",\"severity\":\"page\"},"
                + "\"alerts\":[{\"labels\":{\"alertname\":\"Down\",\"cluster\":\"a\"}}]}]}]}}");
  }

  @Test
  void whatAnyShardCanAnswerIsAskedOfTheNextShardWhenTheFirstIsDown() throws Exception {
    String buildInfo =
        "{\"status\":\"success\",\"data\":{\"version\":\"2.42.0\",\"revision\":\"x\"}}";
    String two =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000,\"2\"]}}";
    b.answer("/api/v1/status/buildinfo", buildInfo);
    b.answer("/api/v1/query", two);
    startRouter(closedPort(), b.uri(), builder -> builder);

    // Grafana's "Save & test": 1+1, then build info.
    assertThat(get("/api/v1/query?query=" + enc("1+1"))).isEqualTo(new Reply(200, two));
    assertThat(get("/api/v1/status/buildinfo")).isEqualTo(new Reply(200, buildInfo));
  }

  @Test
  void whatAnyShardCanAnswerIsAskedOfTheNextShardAfterA5xxButNotAfterA4xx() throws Exception {
    a.answer(
        "/api/v1/status/buildinfo",
        503,
        "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"busy\"}");
    b.answer("/api/v1/status/buildinfo", "{\"status\":\"success\",\"data\":{\"version\":\"b\"}}");
    a.answer(
        "/api/v1/query",
        422,
        "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"boom\"}");
    startRouter(builder -> builder);

    assertThat(get("/api/v1/status/buildinfo"))
        .isEqualTo(new Reply(200, "{\"status\":\"success\",\"data\":{\"version\":\"b\"}}"));
    Reply query = get("/api/v1/query?query=" + enc("1+1"));
    assertThat(query.status()).isEqualTo(422);
    assertThat(b.received).noneMatch(received -> received.path().equals("/api/v1/query"));
  }

  @Test
  void whatAnyShardCanAnswerFailsWhenEveryShardIsDown() throws Exception {
    startRouter(closedPort(), closedPort(), builder -> builder);

    Reply reply = get("/api/v1/status/buildinfo");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.body()).contains("\"status\":\"error\"", "unreachable");
  }

  @Test
  void buildInfoComesFromTheFirstShard() throws Exception {
    String buildInfo =
        "{\"status\":\"success\",\"data\":{\"version\":\"2.42.0\",\"revision\":\"x\"}}";
    a.answer("/api/v1/status/buildinfo", buildInfo);
    startRouter(builder -> builder);

    assertThat(get("/api/v1/status/buildinfo")).isEqualTo(new Reply(200, buildInfo));
  }

  @Test
  void formatQueryAndParseQueryAreAnsweredLocally() throws Exception {
    startRouter(builder -> builder);

    assertThat(
            post("/api/v1/format_query", "query=" + enc("sum by(job)(rate(x{cluster=\"a\"}[5m]))")))
        .isEqualTo(
            new Reply(
                200,
                "{\"status\":\"success\",\"data\":\"sum by (job) (rate(x{cluster=\\\"a\\\"}[5m]))\"}"));
    Reply parsed = get("/api/v1/parse_query?query=" + enc("-1"));
    assertThat(parsed)
        .isEqualTo(
            new Reply(
                200,
                "{\"status\":\"success\",\"data\":{\"type\":\"numberLiteral\",\"val\":\"-1\"}}"));
    assertThat(get("/api/v1/format_query?query=" + enc("sum(")).status()).isEqualTo(400);
    assertThat(a.received).isEmpty();
  }

  @Test
  void invalidPromQLIsRefusedWithThePositionedParserMessageBeforeAnyShardIsAsked()
      throws Exception {
    startRouter(builder -> builder);

    Reply reply = get("/api/v1/query?query=" + enc("up{"));

    assertThat(reply)
        .isEqualTo(
            new Reply(
                400,
                "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"query\\\": 1:4: parse error: unexpected end of input inside braces\"}"));
    assertThat(a.received).isEmpty();
  }

  @Test
  void routingRefusalIsBadData() throws Exception {
    startRouter(builder -> builder);

    Reply reply = get("/api/v1/query?query=" + enc("up{cluster=\"a\"} + up{cluster=\"b\"}"));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.body()).contains("\"errorType\":\"bad_data\"", "conflicting shards");
  }

  @Test
  void byDefaultACrossShardSumAsksEveryShardForItsPartialSumAtOneTimeAndAnswersTheirSum()
      throws Exception {
    String partial =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + "{\"metric\":{},\"value\":[1700000000,\"%s\"]}]}}";
    a.answer("/api/v1/query", String.format(partial, "2"));
    b.answer("/api/v1/query", String.format(partial, "3.5"));
    startRouter(builder -> builder);

    Reply reply = get("/api/v1/query?query=" + enc("sum(up)") + "&time=1700000000");

    assertThat(reply)
        .isEqualTo(
            new Reply(
                200,
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                    + "{\"metric\":{},\"value\":[1700000000,\"5.5\"]}]}}"));
    assertThat(a.only().query()).contains("query=sum%28up%29", "time=1700000000");
    assertThat(b.only().query()).contains("query=sum%28up%29", "time=1700000000");
  }

  @Test
  void crossShardAnswersHoldingMoreSamplesThanTheLimitArePrometheusTooManySamples()
      throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    b.answer("/api/v1/query", VECTOR_B);
    startRouter(builder -> builder.exactCrossShardSums(true).maxSamples(1));

    Reply reply = get("/api/v1/query?query=" + enc("sum(up)") + "&time=1700000000");

    assertThat(reply)
        .isEqualTo(
            new Reply(
                422,
                "{\"status\":\"error\",\"errorType\":\"execution\","
                    + "\"error\":\"query processing would load too many samples into memory in query execution\"}"));
  }

  @Test
  void crossShardAnswersWithMoreSeriesThanTheLimitAreRefused() throws Exception {
    // Each shard's partial sum for its job: two groups in the merged answer.
    a.answer("/api/v1/query", VECTOR_A.replace("\"__name__\":\"up\",", ""));
    b.answer("/api/v1/query", VECTOR_B.replace("\"__name__\":\"up\",", ""));
    startRouter(builder -> builder.maxSeries(1));

    Reply reply = get("/api/v1/query?query=" + enc("sum by (job) (up)") + "&time=1700000000");

    assertThat(reply.status()).isEqualTo(422);
    assertThat(reply.body())
        .contains(
            "\"errorType\":\"execution\"",
            "query result has 2 series, more than the router's limit of 1 (limits.max_series)");
  }

  @Test
  void crossShardInstantQueryWithoutTimeSendsEveryShardTheSameTime() throws Exception {
    String empty = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
    a.answer("/api/v1/query", empty);
    b.answer("/api/v1/query", empty);
    startRouter(builder -> builder.exactCrossShardSums(false));

    Reply reply = get("/api/v1/query?query=" + enc("sum(up)"));

    assertThat(reply.status()).isEqualTo(200);
    String timeA = a.only().query().replaceAll(".*time=([^&]*).*", "$1");
    assertThat(timeA).matches("[0-9]+\\.[0-9]{3}");
    assertThat(b.only().query()).contains("time=" + timeA);
  }

  @Test
  void crossShardEvaluationErrorOfOneShardIsTheAnswerAsTheGlobalViewWordsIt() throws Exception {
    a.answer(
        "/api/v1/query",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    b.answer(
        "/api/v1/query",
        422,
        "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"boom\"}");
    startRouter(builder -> builder.exactCrossShardSums(false).partialResponse(false));

    Reply reply = get("/api/v1/query?query=" + enc("sum(up)") + "&time=1700000000");

    // The query's own error, which one Prometheus holding every shard's series answers too.
    assertThat(reply)
        .isEqualTo(
            new Reply(
                422, "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"boom\"}"));
  }

  @Test
  void crossShardWithPartialResponseCountsAnUnreachableShardAsEmptyAndWarns() throws Exception {
    a.answer(
        "/api/v1/query",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + "{\"metric\":{},\"value\":[1700000000,\"2\"]}]}}");
    startRouter(
        a.uri(), closedPort(), builder -> builder.partialResponse(true).exactCrossShardSums(false));

    Reply reply = get("/api/v1/query?query=" + enc("sum(up)") + "&time=1700000000");

    assertThat(reply)
        .isEqualTo(
            new Reply(
                200,
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                    + "{\"metric\":{},\"value\":[1700000000,\"2\"]}]},"
                    + "\"warnings\":[\"shard \\\"b\\\" is unreachable: connection refused\"]}"));
  }

  @Test
  void crossShardWithoutPartialResponseAnswersTheUnreachableShardsError() throws Exception {
    a.answer(
        "/api/v1/query",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    startRouter(a.uri(), closedPort(), builder -> builder.partialResponse(false));

    Reply reply = get("/api/v1/query?query=" + enc("sum(up)") + "&time=1700000000");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.body()).contains("shard \\\"b\\\" is unreachable");
  }

  @Test
  void exactCrossShardSumsFetchTheSeriesAndAddThemInTheRouter() throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    b.answer("/api/v1/query", VECTOR_B);
    startRouter(builder -> builder.exactCrossShardSums(true));

    Reply reply = get("/api/v1/query?query=" + enc("sum(up)") + "&time=1700000000");

    assertThat(reply)
        .isEqualTo(
            new Reply(
                200,
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                    + "{\"metric\":{},\"value\":[1700000000,\"1\"]}]}}"));
    assertThat(a.only().query()).contains("query=up&", "time=1700000000");
  }

  @Test
  void explainAnswersThePlanWithoutAskingAnyShard() throws Exception {
    startRouter(builder -> builder.exactCrossShardSums(false));

    Reply reply = get("/api/v1/query?query=" + enc("sum(up)") + "&explain=true");

    assertThat(reply)
        .isEqualTo(
            new Reply(
                200,
                "{\"status\":\"success\",\"data\":{\"query\":\"sum(up)\",\"shardLabel\":\"cluster\",\"shards\":[\"a\",\"b\"],"
                    + "\"shardQueries\":[{\"query\":\"sum(up)\",\"addsShardLabel\":false}],\"router\":\"sum(shards(sum(up)))\","
                    + "\"plan\":{\"node\":\"router\",\"computes\":\"sum(shards(sum(up)))\",\"args\":[{\"node\":\"shards\","
                    + "\"shardQuery\":0,\"query\":\"sum(up)\",\"combine\":\"concatenate\"}]}}}"));
    assertThat(a.received).isEmpty();
    assertThat(b.received).isEmpty();
  }

  @Test
  void explainsQueryIsTheClientsQueryForOneShardAsForSeveral() throws Exception {
    startRouter(builder -> builder);

    com.fasterxml.jackson.databind.JsonNode single =
        JSON.readTree(
            get("/api/v1/query?query=" + enc("up{cluster=\"b\"}") + "&explain=true").body());
    Reply crossReply = get("/api/v1/query?query=" + enc("sum(up)") + "&explain=true");
    assertThat(crossReply.status()).as(crossReply.body()).isEqualTo(200);
    com.fasterxml.jackson.databind.JsonNode cross = JSON.readTree(crossReply.body());

    assertThat(single.path("data").path("query").asText()).isEqualTo("up{cluster=\"b\"}");
    assertThat(single.path("data").path("shardQueries").get(0).path("query").asText())
        .isEqualTo("up");
    assertThat(cross.path("data").path("query").asText()).isEqualTo("sum(up)");
    // Per-shard partials (the default): each shard sums its own series.
    assertThat(cross.path("data").path("shardQueries").get(0).path("query").asText())
        .isEqualTo("sum(up)");
  }

  @Test
  void explainOfARangeQuerySortedAtTheTopShowsTheShardsAnsweringItWholeAndTheInstantOneTheSort()
      throws Exception {
    startRouter(builder -> builder);
    String query = enc("sort_desc(rate(up[5m]))");

    Reply range =
        get("/api/v1/query_range?query=" + query + "&start=1&end=100&step=10&explain=true");
    Reply instant = get("/api/v1/query?query=" + query + "&explain=true");

    assertThat(range)
        .isEqualTo(
            new Reply(
                200,
                "{\"status\":\"success\",\"data\":{\"query\":\"sort_desc(rate(up[5m]))\","
                    + "\"shardLabel\":\"cluster\",\"shards\":[\"a\",\"b\"],\"shardQueries\":"
                    + "[{\"query\":\"sort_desc(rate(up[5m]))\",\"addsShardLabel\":true}],\"router\":"
                    + "\"the shards' answers merged series by series as they stream: a range query's"
                    + " result is ordered by labels, whatever the query's sort says\"}}"));
    assertThat(JSON.readTree(instant.body()).path("data").path("router").asText())
        .isEqualTo("sort_desc(shards+label(rate(up[5m])))");
    assertThat(a.received).isEmpty();
  }

  @Test
  void anErrorThrownWhileRoutingIsA500InPrometheusFormatNotAnEmpty200() throws Exception {
    startRouter(builder -> builder); // FakeRouting throws an AssertionError for an unknown query

    Reply reply = get("/api/v1/query?query=" + enc("no_entry_in_the_fake_routing"));
    Reply next = get("/api/v1/query?query=" + enc("sum(up)") + "&explain=true");

    assertThat(reply.status()).isEqualTo(500);
    assertThat(reply.body())
        .startsWith("{\"status\":\"error\",\"errorType\":\"internal\",")
        .contains("FakeRouting has no entry for no_entry_in_the_fake_routing");
    assertThat(next.status()).isEqualTo(200);
  }

  @Test
  void explainNamesTheOneShardThatAnswersAQueryOfNoKnownShard() throws Exception {
    startRouter(builder -> builder);

    Reply noShard = get("/api/v1/query?query=" + enc("up{cluster=\"zzz\"}") + "&explain=true");

    assertThat(noShard.status()).as(noShard.body()).isEqualTo(200);
    assertThat(JSON.readTree(noShard.body()).path("data").path("router").asText())
        .isEqualTo("the answer of one shard over no series: the query selects no known shard");
    assertThat(JSON.readTree(noShard.body()).path("data").path("shards").toString())
        .isEqualTo("[\"a\"]");
    assertThat(a.received).isEmpty();
  }

  @Test
  void unknownShardIsAnsweredByOneShardOverNoSeriesWithAWarning() throws Exception {
    a.answer(
        "/api/v1/query",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    startRouter(builder -> builder);

    Reply reply = get("/api/v1/query?query=" + enc("up{cluster=\"zzz\"}"));

    assertThat(reply)
        .isEqualTo(
            new Reply(
                200,
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]},"
                    + "\"warnings\":[\"no shard has cluster=\\\"zzz\\\" (known shards: a, b)\"]}"));
    // The query the rewriter made to match nothing on a shard, not a shard's own series.
    assertThat(a.only().query()).startsWith("query=up%7Bcluster%3D%22zzz%22%7D");
    assertThat(b.received).isEmpty();
  }

  @Test
  void malformedParametersAreRefusedAsPrometheusRefusesThem() throws Exception {
    startRouter(builder -> builder);

    Reply reply = get("/api/v1/query_range?query=up&end=2&step=1");

    assertThat(reply)
        .isEqualTo(
            new Reply(
                400,
                "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"start\\\": cannot parse \\\"\\\" to a valid timestamp\"}"));
    assertThat(a.received).isEmpty();
  }

  @Test
  void bodyLargerThanTheLimitIsRefusedAndNotForwarded() throws Exception {
    startRouter(builder -> builder.maxRequestBodyBytes(100));

    Reply reply =
        post("/api/v1/query", "query=" + enc("up{cluster=\"a\"}") + "&pad=" + "x".repeat(100_000));

    assertThat(reply)
        .isEqualTo(
            new Reply(
                400,
                "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"request body is larger than 100 bytes\"}"));
    assertThat(a.received).isEmpty();
  }

  @Test
  void labelValuesRefusePostAsPrometheusDoes() throws Exception {
    startRouter(builder -> builder);

    assertThat(post("/api/v1/label/job/values", "").status()).isEqualTo(405);
  }

  @Test
  void shardErrorsPassThroughUnchanged() throws Exception {
    String error =
        "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"query processing would load too many samples\"}";
    a.answer("/api/v1/query", 422, error);
    startRouter(builder -> builder);

    assertThat(get("/api/v1/query?query=" + enc("up{cluster=\"a\"}")))
        .isEqualTo(new Reply(422, error));
  }

  @Test
  void shardFailureInAFanOutKeepsStatusAndTypeAndNamesTheShard() throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    b.answer(
        "/api/v1/query",
        503,
        "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out\"}");
    startRouter(builder -> builder.partialResponse(false));

    assertThat(get("/api/v1/query?query=up"))
        .isEqualTo(
            new Reply(
                503,
                "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"shard \\\"b\\\": query timed out\"}"));
  }

  @Test
  void shardEvaluationErrorInAFanOutIsTheAnswerUnnamedEvenWithPartialAnswers() throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    String error =
        "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"too many samples\"}";
    b.answer("/api/v1/query", 422, error);
    startRouter(builder -> builder.partialResponse(true));

    assertThat(get("/api/v1/query?query=up")).isEqualTo(new Reply(422, error));
  }

  /**
   * Prometheus answers no 401, 403 or 429 to the API: one comes from a proxy in front of the shard,
   * and is that shard's failure, left out with a warning like a 5xx, not the query's answer.
   */
  @ParameterizedTest
  @ValueSource(ints = {401, 403, 429})
  void aProxysRefusalOfOneShardInAFanOutIsAWarning(int status) throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    b.answer(
        "/api/v1/query",
        status,
        "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"go away\"}");
    startRouter(builder -> builder.partialResponse(true));

    Reply reply = get("/api/v1/query?query=up");

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.body())
        .contains("\"cluster\":\"a\"")
        .contains("\"warnings\":[\"shard \\\"b\\\": go away\"]");
  }

  @Test
  void shardAnsweringInvalidJsonInAFanOutIsA502NamingIt() throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    b.answer("/api/v1/query", "<html>proxy error</html>");
    startRouter(builder -> builder.partialResponse(false));

    Reply reply = get("/api/v1/query?query=up");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.body())
        .startsWith(
            "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"shard \\\"b\\\" answered invalid JSON");
  }

  @Test
  void shardThatRefusesConnectionsIsA502NamingTheShard() throws Exception {
    URI closed = closedPort();
    startRouter(a.uri(), closed, builder -> builder);

    Reply reply = get("/api/v1/query?query=" + enc("up{cluster=\"b\"}"));

    assertThat(reply)
        .isEqualTo(
            new Reply(
                502,
                "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"shard \\\"b\\\" is unreachable: connection refused\"}"));
  }

  @Test
  void shardThatNeverAnswersIsA504Timeout() throws Exception {
    URI hanging = hangingShard();
    startRouter(hanging, b.uri(), builder -> builder.upstreamTimeout(Duration.ofMillis(500)));

    long start = System.nanoTime();
    Reply reply = get("/api/v1/query?query=" + enc("up{cluster=\"a\"}"));

    assertThat(reply)
        .isEqualTo(
            new Reply(
                504,
                "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"shard \\\"a\\\" did not answer within 500ms\"}"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void clientThatGoesAwayReleasesTheShardConnectionAndTheRouterStaysHealthy() throws Exception {
    HangingShard hanging = new HangingShard();
    closeables.add(hanging);
    b.answer("/api/v1/query", VECTOR_B);
    startRouter(hanging.uri(), b.uri(), builder -> builder.upstreamTimeout(Duration.ofSeconds(2)));

    try (Socket client = new Socket("127.0.0.1", routerUri("/").getPort())) {
      client
          .getOutputStream()
          .write(
              ("GET /api/v1/query?query="
                      + enc("up{cluster=\"a\"}")
                      + " HTTP/1.1\r\nHost: x\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();
      await(() -> hanging.accepted() == 1, "the router connects to the shard");
      Thread.sleep(300);
    }

    // The filter's watch of the client's connection cancels the shard request (at the latest the
    // upstream timeout releases it).
    await(() -> hanging.closedByPeer() == 1, "the router closes its shard connection");
    assertThat(get("/api/v1/query?query=" + enc("up{cluster=\"b\"}")).status()).isEqualTo(200);
  }

  @Test
  void largeAnswersStreamThroughWithTheLabelOnEverySeries() throws Exception {
    StringBuilder json =
        new StringBuilder(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
    int series = 2000;
    for (int i = 0; i < series; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"metric\":{\"__name__\":\"m\",\"pod\":\"p")
          .append(i)
          .append("\"},\"values\":[");
      for (int t = 0; t < 300; t++) {
        json.append(t == 0 ? "" : ",")
            .append("[")
            .append(1700000000 + t * 15)
            .append(",\"")
            .append(t)
            .append(".5\"]");
      }
      json.append("]}");
    }
    json.append("]}}");
    a.answer("/api/v1/query_range", json.toString());
    startRouter(builder -> builder);

    Reply reply =
        get(
            "/api/v1/query_range?query="
                + enc("up{cluster=\"a\"}")
                + "&start=1700000000&end=1700004500&step=15");

    assertThat(json.length()).isGreaterThan(10_000_000);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body())
        .isEqualTo(
            json.toString()
                .replace("{\"__name__\":\"m\",", "{\"__name__\":\"m\",\"cluster\":\"a\","));
  }

  private static void await(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10s: " + what);
      }
      Thread.sleep(20);
    }
  }

  /** A socket that accepts connections, never answers, and counts connections its peer closed. */
  private static final class HangingShard implements AutoCloseable {
    private final ServerSocket server =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    private final java.util.concurrent.atomic.AtomicInteger accepted =
        new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger closedByPeer =
        new java.util.concurrent.atomic.AtomicInteger();
    private final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

    HangingShard() throws IOException {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    accepted.incrementAndGet();
                    Thread reader =
                        new Thread(
                            () -> {
                              try {
                                while (socket.getInputStream().read() >= 0) {
                                  // drain the request, answer nothing
                                }
                                closedByPeer.incrementAndGet();
                              } catch (IOException e) {
                                closedByPeer.incrementAndGet();
                              }
                            });
                    reader.setDaemon(true);
                    reader.start();
                  }
                } catch (IOException closed) {
                  // test over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    int accepted() {
      return accepted.get();
    }

    int closedByPeer() {
      return closedByPeer.get();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  @Test
  void fanOutWithOneShardDownFailsNamingIt() throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    startRouter(a.uri(), closedPort(), builder -> builder.partialResponse(false));

    Reply reply = get("/api/v1/query?query=up");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.body()).contains("shard \\\"b\\\" is unreachable");
  }

  @Test
  void fanOutWithPartialResponseAnswersTheOtherShardsAndAWarning() throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    startRouter(a.uri(), closedPort(), builder -> builder.partialResponse(true));

    Reply reply = get("/api/v1/query?query=up");

    assertThat(reply)
        .isEqualTo(
            new Reply(
                200,
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                    + "{\"metric\":{\"__name__\":\"up\",\"cluster\":\"a\",\"job\":\"node\"},\"value\":[1700000000,\"1\"]}]},"
                    + "\"warnings\":[\"shard \\\"b\\\" is unreachable: connection refused\"]}"));
  }

  @Test
  void apiIsServedUnderThePathPrefixAndOtherPathsReachTheApplication() throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    startRouter(builder -> builder.pathPrefix("/prometheus"));

    assertThat(get("/prometheus/api/v1/query?query=" + enc("up{cluster=\"a\"}")).status())
        .isEqualTo(200);
    assertThat(get("/api/v1/query?query=up"))
        .isEqualTo(new Reply(200, "application:/api/v1/query"));
    assertThat(a.received).hasSize(1);
  }

  @Test
  void nonApiRequestsPassDownTheChain() throws Exception {
    startRouter(builder -> builder);

    assertThat(get("/dashboard/x")).isEqualTo(new Reply(200, "application:/dashboard/x"));
    assertThat(get("/api/v1/targets")).isEqualTo(new Reply(200, "application:/api/v1/targets"));
  }

  @Test
  void onlyAllowListedClientHeadersAndTheTargetsCredentialsReachTheShard() throws Exception {
    a.answer("/api/v1/query", VECTOR_A);
    URI shardA = a.uri();
    filterWithTarget(
        new ShardTarget(
            shardA,
            null,
            null,
            "s3cret",
            Map.of("X-Scope-OrgID", "tenant"),
            ShardTarget.Tls.DEFAULT));

    Reply reply =
        get(
            "/api/v1/query?query=" + enc("up{cluster=\"a\"}"),
            "X-Grafana-User",
            "alice",
            "X-Other",
            "no",
            "Authorization",
            "Basic Z3JhZmFuYQ==");

    assertThat(reply.status()).isEqualTo(200);
    Map<String, String> headers = a.only().headers();
    assertThat(headers)
        .containsEntry("x-grafana-user", "alice")
        .containsEntry("authorization", "Bearer s3cret")
        .containsEntry("x-scope-orgid", "tenant")
        .doesNotContainKey("x-other");
  }

  @Test
  void webXmlStyleFilterReadsTheYamlFileNamedByItsInitParam(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path directory) throws Exception {
    String buildInfo = "{\"status\":\"success\",\"data\":{\"version\":\"2.42.0\"}}";
    a.answer("/api/v1/status/buildinfo", buildInfo);
    java.nio.file.Path config = directory.resolve("prome-route.yml");
    java.nio.file.Files.writeString(
        config,
        "replace_label_name: region\nprome_servers:\n"
            + "  eu: "
            + a.uri().getAuthority()
            + "\n  us: "
            + b.uri().getAuthority()
            + "\n");
    router = new Server();
    ServerConnector connector = new ServerConnector(router);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    router.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    FilterHolder holder = new FilterHolder(PromRouteFilter.class);
    holder.setInitParameter(PromRouteFilter.CONFIG_INIT_PARAM, config.toString());
    holder.setAsyncSupported(true);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    router.setHandler(context);
    router.start();

    assertThat(get("/api/v1/label/region/values"))
        .isEqualTo(new Reply(200, "{\"status\":\"success\",\"data\":[\"eu\",\"us\"]}"));
    assertThat(get("/api/v1/status/buildinfo")).isEqualTo(new Reply(200, buildInfo));
  }

  @Test
  void builderRefusesARewriterShardWithoutTarget() {
    io.promroute.shard.ShardRewriter rewriter =
        io.promroute.shard.ShardRewriter.builder()
            .shardLabel("cluster")
            .shards(List.of("a", "b"))
            .build();

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                PromRouteFilter.builder()
                    .rewriter(rewriter)
                    .shard("a", ShardTarget.of(a.uri()))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("shard \"b\" of the rewriter has no target: add shard(\"b\", ...)");
  }

  private void filterWithTarget(ShardTarget targetA) throws Exception {
    serve(
        PromRouteFilter.builder()
            .routing(new FakeRouting())
            .shardLabel("cluster")
            .shard("a", targetA)
            .shard("b", ShardTarget.of(b.uri()))
            .forwardedHeaders(Set.of("X-Grafana-User", "Authorization")));
  }

  private static URI closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  /** A socket that accepts connections and never answers. */
  private URI hangingShard() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  accepted.add(server.accept());
                }
              } catch (IOException closed) {
                // test over
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
    closeables.add(
        () -> {
          server.close();
          for (Socket socket : accepted) {
            socket.close();
          }
        });
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  @Test
  void aShardAnswerSlowerThanTheConnectionIdleTimeoutStillReachesTheClient() throws Exception {
    // The idle timeout is for clients that stop sending their request; while the router works on
    // an answer (a long cross-shard query), only the answer deadline bounds the wait.
    connectionIdleTimeout = Duration.ofMillis(500);
    try (OneConnectionShard slow =
        new OneConnectionShard(
            (in, out) -> {
              Thread.sleep(2000);
              byte[] body =
                  "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"
                      .getBytes(StandardCharsets.US_ASCII);
              out.write(
                  ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                          + body.length
                          + "\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
              out.write(body);
              out.flush();
              in.read(); // until the router closes the connection
            })) {
      startRouter(slow.uri(), b.uri(), builder -> builder);

      Reply answer = get("/api/v1/query?query=" + enc("up{cluster=\"a\"}"));

      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.body())
          .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    }
  }
}
