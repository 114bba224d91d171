package io.promroute.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.router.Engine;
import io.promroute.standalone.ApiHandler;
import io.promroute.standalone.PrometheusErrorHandler;
import io.promroute.standalone.RouterConnectors;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint test of the servlet filter, run through the standalone router's Jetty handler and
 * connector instead: the two transports of one engine must answer alike; and what only this
 * transport does (a broken answer breaks the connection, slow clients hold no thread, Prometheus's
 * header limit). In the filter's package, to reuse its package-private test fixture.
 */
class ApiHandlerEndpointsTest extends PromRouteFilterTest {

  @Override
  void serve(PromRouteFilter.Builder builder) throws Exception {
    Engine engine = builder.buildEngine();
    closeables.add(engine::shutdown);
    router = new Server();
    ServerConnector connector = RouterConnectors.create(router);
    connector.setIdleTimeout(connectionIdleTimeout.toMillis());
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    router.addConnector(connector);
    Handler application =
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            Content.Sink.write(
                response, true, "application:" + request.getHttpURI().getPath(), callback);
            return true;
          }
        };
    router.setHandler(new ApiHandler(() -> engine, (request, start) -> start.run(), application));
    router.setErrorHandler(new PrometheusErrorHandler());
    router.start();
  }

  /** Not this transport's: web.xml configures the servlet filter. */
  @Override
  void webXmlStyleFilterReadsTheYamlFileNamedByItsInitParam(java.nio.file.Path directory) {}

  @Test
  void anAnswerBrokenAfterItWasCommittedIsATransportErrorForTheClientNotAShortBody()
      throws Exception {
    AtomicInteger sent = new AtomicInteger();
    try (OneConnectionShard cutting =
        new OneConnectionShard(
            (in, out) -> {
              out.write(
                  ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"
                          + MATRIX_START)
                      .getBytes(StandardCharsets.US_ASCII));
              for (int i = 0; i < 2000; i++) {
                byte[] series = series(i);
                out.write(series);
                sent.addAndGet(series.length);
              }
              out.flush();
            })) {
      startRouter(cutting.uri(), b.uri(), builder -> builder);

      HttpRequest request =
          HttpRequest.newBuilder(
                  routerUri(
                      "/api/v1/query_range?query="
                          + enc("up{cluster=\"a\"}")
                          + "&start=1700000000&end=1700004500&step=15"))
              .timeout(Duration.ofSeconds(20))
              .build();

      assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
      assertThat(sent.get()).isGreaterThan(4 * 32 * 1024); // the answer was under way
      assertThat(get("/api/v1/query?query=" + enc("up{cluster=\"b\"}")).status())
          .isEqualTo(404); // still serving
    }
  }

  @Test
  void twoHundredClientsTricklingTheirBodiesDoNotStarveAHealthyRequest() throws Exception {
    b.answer(
        "/api/v1/query",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    startRouter(builder -> builder);
    int port = routerUri("/").getPort();
    List<Socket> trickling = new ArrayList<>();
    try {
      String form = "query=" + enc("up{cluster=\"b\"}");
      for (int i = 0; i < 200; i++) {
        Socket socket = new Socket("127.0.0.1", port);
        trickling.add(socket);
        socket
            .getOutputStream()
            .write(
                ("POST /api/v1/query HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                        + form.length()
                        + "\r\n\r\n"
                        + form.substring(0, 3))
                    .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
      }
      Thread.sleep(500); // every trickling request has reached the handler

      long start = System.nanoTime();
      Reply healthy = get("/api/v1/query?query=" + enc("up{cluster=\"b\"}"));

      assertThat(healthy.status()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      // A trickling client that finishes its body gets its answer.
      Socket first = trickling.get(0);
      first.getOutputStream().write(form.substring(3).getBytes(StandardCharsets.US_ASCII));
      first.getOutputStream().flush();
      first.setSoTimeout(10_000);
      String statusLine =
          new String(first.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(statusLine).isEqualTo("HTTP/1.1 200");
    } finally {
      for (Socket socket : trickling) {
        socket.close();
      }
    }
  }

  @Test
  void urlsAndHeadersUpToPrometheusLimitOfOneMebibyteAreAccepted() throws Exception {
    startRouter(builder -> builder);
    String value = "x".repeat(900 * 1024);

    Reply longUrl = get("/api/v1/format_query?query=" + enc("up{job=\"" + value + "\"}"));
    Reply longHeader = get("/api/v1/format_query?query=up", "X-Long", value);

    assertThat(longUrl.status()).isEqualTo(200);
    assertThat(longUrl.body()).contains(value);
    assertThat(longHeader).isEqualTo(new Reply(200, "{\"status\":\"success\",\"data\":\"up\"}"));
  }

  @Test
  void urlsAndHeadersOverTheLimitAreRefusedInPrometheusJson() throws Exception {
    startRouter(builder -> builder);
    String value = "x".repeat(RouterConnectors.MAX_HEADER_BYTES + 1);

    Reply longUrl = get("/api/v1/query?query=" + value);
    Reply longHeader = get("/api/v1/query?query=up", "X-Long", value);

    assertThat(longUrl.status()).isEqualTo(414);
    assertThat(longUrl.body())
        .startsWith("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":");
    assertThat(longHeader.status()).isEqualTo(431);
    assertThat(longHeader.body())
        .startsWith("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":");
  }

  /**
   * A shard that answers 200 with a Content-Length of 10 MB, sends the start of a large matrix, and
   * closes the connection.
   */
  @Test
  void aClientThatStopsReadingItsAnswerIsStillTimedOutAndItsShardRequestEnds() throws Exception {
    connectionIdleTimeout = Duration.ofMillis(500);
    java.util.concurrent.CompletableFuture<Long> ended =
        new java.util.concurrent.CompletableFuture<>();
    try (OneConnectionShard endless =
            new OneConnectionShard(
                (in, out) -> {
                  long sent = 0;
                  try {
                    out.write(
                        ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000000\r\n\r\n"
                                + MATRIX_START)
                            .getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; ; i++) {
                      byte[] series = series(i);
                      out.write(series);
                      sent += series.length;
                    }
                  } catch (IOException e) {
                    ended.complete(sent); // the router closed the connection
                  }
                });
        Socket client = new Socket()) {
      startRouter(endless.uri(), b.uri(), builder -> builder);
      client.setReceiveBufferSize(4096);
      client.connect(
          new java.net.InetSocketAddress(
              InetAddress.getLoopbackAddress(),
              ((ServerConnector) router.getConnectors()[0]).getLocalPort()));
      client
          .getOutputStream()
          .write(
              ("GET /api/v1/query_range?query="
                      + enc("up{cluster=\"a\"}")
                      + "&start=1700000000&end=1700004500&step=15 HTTP/1.1\r\nHost: router\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();

      // The client reads nothing: the router's write stalls, the idle timeout fails it, and the
      // router drops the shard request, which the shard sees as its connection closed.
      long sentBeforeTheEnd = ended.get(20, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(sentBeforeTheEnd)
          .isGreaterThan(64 * 1024); // the answer was under way when it stalled
    }
  }

  private static final String MATRIX_START =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[";

  /** The {@code i}th series of a matrix answer, with the comma before it. */
  private static byte[] series(int i) {
    return ((i == 0 ? "" : ",")
            + "{\"metric\":{\"__name__\":\"m\",\"pod\":\"p"
            + i
            + "\"},\"values\":[[1700000000,\"1\"],[1700000015,\"2\"]]}")
        .getBytes(StandardCharsets.US_ASCII);
  }
}
