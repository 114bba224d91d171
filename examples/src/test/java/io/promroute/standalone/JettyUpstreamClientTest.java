package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.promroute.router.ShardTarget;
import io.promroute.router.UpstreamRequest;
import io.promroute.router.UpstreamResponse;
import io.promroute.servlet.RouterConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone router's filter and server with {@link JettyUpstreamClient} (its default upstream
 * client) against shards on 127.0.0.1: one that answers, one that accepts and never answers, one
 * port that refuses.
 */
class JettyUpstreamClientTest {

  @TempDir Path directory;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<String> accessLog = new CopyOnWriteArrayList<>();
  private final List<Socket> hanging = new CopyOnWriteArrayList<>();
  private FakePrometheus answering;
  private HttpServer large;
  private ServerSocket silent;
  private RouterServer router;

  @AfterEach
  void stop() throws IOException {
    if (router != null) {
      router.close();
    }
    if (answering != null) {
      answering.close();
    }
    if (large != null) {
      large.stop(0);
    }
    if (silent != null) {
      silent.close();
    }
    for (Socket socket : hanging) {
      socket.close();
    }
  }

  private void start() throws Exception {
    answering = new FakePrometheus("node-1:9100");
    silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  hanging.add(silent.accept()); // read nothing, answer nothing
                }
              } catch (IOException closed) {
                // the test is over
              }
            },
            "silent-shard");
    acceptor.setDaemon(true);
    acceptor.start();
    int refused;
    try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      refused = free.getLocalPort();
    }
    large = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    large.createContext(
        "/api/v1/query",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, 0); // chunked
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                    .getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 20_000; i++) {
              out.write(
                  ((i == 0 ? "" : ",")
                          + "{\"metric\":{\"__name__\":\"up\",\"instance\":\"node-"
                          + i
                          + ":9100\"},\"value\":[1767268800,\"1\"]}")
                      .getBytes(StandardCharsets.UTF_8));
            }
            out.write("]}}".getBytes(StandardCharsets.UTF_8));
          }
        });
    large.start();
    Path file = directory.resolve("router.yml");
    Files.writeString(
        file,
        """
        prome_servers:
          a: %s
          hang: 127.0.0.1:%d
          down: 127.0.0.1:%d
          big: 127.0.0.1:%d
        http:
          listen_addr: 127.0.0.1:0
        upstream:
          timeout: 4s
        """
            .formatted(
                answering.address(), silent.getLocalPort(), refused, large.getAddress().getPort()));
    router =
        new RouterServer(
            file,
            RouterConfig.load(file),
            RouterEngines::create,
            new JettyUpstreamClient(Duration.ofSeconds(5)),
            new RouterMetrics(true),
            accessLog::add,
            RouterOptions.forTests());
    router.start();
  }

  private HttpResponse<String> query(String promql) throws IOException, InterruptedException {
    URI uri =
        router
            .baseUri()
            .resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersThroughTheJettyClientWithTheShardLabelPutBack() throws Exception {
    start();

    HttpResponse<String> response = query("up{cluster=\"a\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"cluster\":\"a\"", "\"instance\":\"node-1:9100\"");
    assertThat(answering.queries).containsExactly("up");
  }

  @Test
  void postBodiesReachTheShard() throws Exception {
    start();

    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(router.baseUri().resolve("/api/v1/query"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "query="
                            + URLEncoder.encode(
                                "up{cluster=\"a\",job=\"node\"}", StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(answering.queries).containsExactly("up{job=\"node\"}");
  }

  @Test
  void aGetQueryLongerThanJettysRequestBufferReachesTheShardWhole() throws Exception {
    start();
    StringBuilder hosts = new StringBuilder();
    for (int i = 0; i < 3_000; i++) {
      hosts.append(i == 0 ? "" : "|").append("node-").append(i).append(":9100");
    }
    String selector = "up{instance=~\"" + hosts + "\"}";

    HttpResponse<String> response = query(selector.replace("up{", "up{cluster=\"a\","));

    assertThat(selector.length()).isGreaterThan(40_000);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"cluster\":\"a\"");
    assertThat(answering.queries).containsExactly(selector);
  }

  @Test
  void shortGetQueriesAroundALongOneAllReachTheShard() throws Exception {
    start();
    String longQuery = "up{cluster=\"a\"}" + " or up{cluster=\"a\"}".repeat(2_000);

    HttpResponse<String> first = query("up{cluster=\"a\"}");
    HttpResponse<String> longOne = query(longQuery);
    HttpResponse<String> after = query("up{cluster=\"a\"}");

    assertThat(List.of(first.statusCode(), longOne.statusCode(), after.statusCode()))
        .containsExactly(200, 200, 200);
    assertThat(answering.queries).hasSize(3);
    assertThat(answering.queries.get(1)).isEqualTo("up" + " or up".repeat(2_000));
  }

  @Test
  void aShardThatNeverAnswersIs504() throws Exception {
    start();
    long started = System.nanoTime();

    HttpResponse<String> response = query("up{cluster=\"hang\"}");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).contains("\"status\":\"error\"", "hang");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
  }

  @Test
  void aClosedPortIs502() throws Exception {
    start();

    HttpResponse<String> response = query("up{cluster=\"down\"}");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("\"status\":\"error\"", "connection refused");
  }

  @Test
  void aLargeChunkedAnswerStreamsWithTheLabelOnEverySeries() throws Exception {
    start();

    HttpResponse<String> response = query("up{cluster=\"big\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body().split("\"cluster\":\"big\"", -1)).hasSize(20_001);
    // the router still serves after it
    assertThat(query("up{cluster=\"a\"}").statusCode()).isEqualTo(200);
  }

  /**
   * A shard on a raw socket that reads each request's head, writes {@code answer} and keeps the
   * connection open.
   */
  private int rawShard(String answer) throws IOException {
    return rawShard(answer, Duration.ZERO);
  }

  private int rawShard(String answer, Duration pause) throws IOException {
    silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  Socket socket = silent.accept();
                  hanging.add(socket);
                  // The request first: an answer the client has not asked for yet is not an answer.
                  java.io.InputStream in = socket.getInputStream();
                  for (int matched = 0, b; matched < 4 && (b = in.read()) >= 0; ) {
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                  }
                  Thread.sleep(pause.toMillis());
                  socket.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                  socket.getOutputStream().flush();
                }
              } catch (IOException | InterruptedException closed) {
                // the test is over
              }
            },
            "raw-shard");
    acceptor.setDaemon(true);
    acceptor.start();
    return silent.getLocalPort();
  }

  private static UpstreamRequest get(int port, Duration timeout) {
    return new UpstreamRequest(
        "a",
        ShardTarget.of("127.0.0.1:" + port),
        "GET",
        URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=up"),
        Map.of(),
        new byte[0],
        timeout);
  }

  @Test
  void aSmallAnswerWithAContentLengthArrivesWhole() throws Exception {
    String body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
    int port =
        rawShard(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
    try (JettyUpstreamClient client = new JettyUpstreamClient(Duration.ofSeconds(5))) {
      UpstreamResponse response =
          client.send(get(port, Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.headers()).containsEntry("content-type", List.of("application/json"));
      // Already in memory: the filter answers without waiting on the network.
      assertThat(response.body()).isInstanceOf(java.io.ByteArrayInputStream.class);
      assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(body);
    }
  }

  @Test
  void aShardThatComputesLongerThanTheIdleConnectionTimeoutIsWaitedForUntilTheDeadline()
      throws Exception {
    String body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
    int port =
        rawShard(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body,
            Duration.ofMillis(1500));
    try (JettyUpstreamClient client =
        new JettyUpstreamClient(Duration.ofSeconds(5), Duration.ofMillis(300))) {
      UpstreamResponse response =
          client.send(get(port, Duration.ofSeconds(10))).get(20, TimeUnit.SECONDS);

      assertThat(response.status()).isEqualTo(200);
      assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(body);
    }
  }

  @Test
  void aSmallAnswerWhoseBodyNeverComesTimesOut() throws Exception {
    int port =
        rawShard(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"status\"");
    try (JettyUpstreamClient client = new JettyUpstreamClient(Duration.ofSeconds(5))) {
      CompletableFuture<UpstreamResponse> future = client.send(get(port, Duration.ofMillis(500)));

      assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(java.net.http.HttpTimeoutException.class);
    }
  }

  @Test
  void aLargerAnswerStreamsAfterItsHeaders() throws Exception {
    int port =
        rawShard(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n[1,");
    try (JettyUpstreamClient client = new JettyUpstreamClient(Duration.ofSeconds(5))) {
      UpstreamResponse response =
          client.send(get(port, Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);

      // The future completed at the headers, long before the body could be complete.
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isNotInstanceOf(java.io.ByteArrayInputStream.class);
      byte[] start = new byte[3];
      assertThat(response.body().readNBytes(start, 0, 3)).isEqualTo(3);
      assertThat(new String(start, StandardCharsets.UTF_8)).isEqualTo("[1,");
      response.close();
    }
  }

  @Test
  void theSystemPropertyChoosesTheClient() {
    String before = System.getProperty(JettyUpstreamClient.PROPERTY);
    try {
      System.clearProperty(JettyUpstreamClient.PROPERTY);
      try (JettyUpstreamClient client =
          (JettyUpstreamClient) JettyUpstreamClient.fromSystemProperty()) {
        assertThat(client).isNotNull(); // the default
      }
      System.setProperty(JettyUpstreamClient.PROPERTY, "jdk");
      assertThat(JettyUpstreamClient.fromSystemProperty())
          .isNotInstanceOf(JettyUpstreamClient.class);
      System.setProperty(JettyUpstreamClient.PROPERTY, "apache");
      org.assertj.core.api.Assertions.assertThatThrownBy(JettyUpstreamClient::fromSystemProperty)
          .hasMessage("-Dpromroute.upstream.client=apache: expected jdk or jetty");
    } finally {
      if (before == null) {
        System.clearProperty(JettyUpstreamClient.PROPERTY);
      } else {
        System.setProperty(JettyUpstreamClient.PROPERTY, before);
      }
    }
  }
}
