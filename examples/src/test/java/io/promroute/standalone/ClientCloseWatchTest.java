package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.RouterConfig;
import io.promroute.servlet.it.FaultyShard;
import io.promroute.servlet.it.FaultyShard.Fault;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The standalone router notices a client that closes its HTTP/1.1 connection while its request
 * waits for a shard ({@link ClientCloseWatch}), on real sockets: the shard request is cancelled
 * within a second instead of at the upstream timeout; and the watch leaves keep-alive and a
 * pipelined next request alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientCloseWatchTest {

  /** Long, so that only the client's going away can end a shard request early. */
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** How soon after the client left its shard request must be cancelled. */
  private static final Duration CANCELLED_WITHIN = Duration.ofSeconds(3);

  private FaultyShard hanging;
  private FaultyShard healthy;
  private RouterServer router;
  private JettyUpstreamClient client;
  private Path directory;

  @BeforeAll
  void start() throws Exception {
    hanging = new FaultyShard("b").fault(Fault.HANG_BEFORE_HEADERS);
    healthy = new FaultyShard("a");
    directory = Files.createTempDirectory("promroute-client-close-");
    Path file = directory.resolve("router.yml");
    Files.writeString(file, "prome_servers:\n  a: " + healthy.hostPort() + "\n  b: " + hanging.hostPort() + "\n"
        + "http:\n  listen_addr: 127.0.0.1:0\nupstream:\n  timeout: " + TIMEOUT.toMillis() + "ms\n"
        + "promql:\n  dialect: prometheus2\n");
    client = new JettyUpstreamClient(Duration.ofSeconds(5));
    router = new RouterServer(file, RouterConfig.load(file), RouterEngines::create, client,
        new RouterMetrics(true), line -> {}, RouterOptions.forTests());
    router.start();
  }

  @AfterAll
  void stop() throws Exception {
    router.close();
    client.close();
    hanging.close();
    healthy.close();
    Files.deleteIfExists(directory.resolve("router.yml"));
    Files.deleteIfExists(directory);
  }

  @org.junit.jupiter.api.BeforeEach
  void hang() throws IOException {
    hanging.fault(Fault.HANG_BEFORE_HEADERS);
  }

  @Test
  void aClientThatClosesWhileItsShardHangsCancelsTheShardRequestAtOnce() throws Exception {
    Duration took = closeWhileWaiting(get("up{cluster=\"b\"}"));
    System.out.printf("standalone (Jetty core): shard request cancelled %d ms after the client left (upstream timeout %d ms)%n",
        took.toMillis(), TIMEOUT.toMillis());
  }

  @Test
  void aClientThatClosesAfterAFormPostCancelsTheShardRequestAtOnce() throws Exception {
    String form = "query=" + encode("up{cluster=\"b\"}");
    closeWhileWaiting("POST /api/v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + "Content-Length: " + form.length() + "\r\n\r\n" + form);
  }

  @Test
  void aFanOutWhoseClientClosesCancelsEveryShardRequest() throws Exception {
    closeWhileWaiting(get("up"));
  }

  /** Sends {@code request}, waits for the hanging shard to receive it, closes; how long until the shard request is gone. */
  private Duration closeWhileWaiting(String request) throws Exception {
    int requestsBefore = hanging.requests();
    int closedBefore = hanging.closedByPeer();
    long gone;
    try (Socket socket = new Socket(router.baseUri().getHost(), router.baseUri().getPort())) {
      send(socket.getOutputStream(), request);
      await(Duration.ofSeconds(10), () -> hanging.requests() > requestsBefore, "the shard is asked");
      Thread.sleep(200); // the request waits for the shard, with nothing read or written
      gone = System.nanoTime();
    }
    await(TIMEOUT, () -> hanging.closedByPeer() > closedBefore, "the shard request is cancelled");
    Duration took = Duration.ofNanos(System.nanoTime() - gone);
    assertThat(took).as("time from the client's close to the shard request's end").isLessThan(CANCELLED_WITHIN);
    return took;
  }

  /**
   * A request that waited with the watch on (its shard hung, then answered after a retry) leaves
   * the connection usable: Jetty finds no read pending when the answer completes, and the next
   * request on the kept-alive connection is answered.
   */
  @Test
  void aKeptAliveConnectionServesTheNextRequestAfterAWatchedOne() throws Exception {
    try (Socket socket = new Socket(router.baseUri().getHost(), router.baseUri().getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (int i = 0; i < 3; i++) {
        send(out, get("up{cluster=\"b\"}"));
        waitAndRecover(Duration.ofMillis(300));
        assertThat(readResponse(in)).as("answer %d", i).startsWith("HTTP/1.1 200").contains("\"b-1\"");
        send(out, get("up{cluster=\"a\"}"));
        assertThat(readResponse(in)).as("the next answer %d", i).startsWith("HTTP/1.1 200").contains("\"a-1\"");
      }
    }
  }

  /**
   * A next request sent while the first one waits (pipelining) is not lost to the watch, which
   * reads its first byte and hands it back: the connection answers both, in order, whole.
   */
  @Test
  void aPipelinedRequestSentWhileTheFirstWaitsIsAnsweredAfterIt() throws Exception {
    try (Socket socket = new Socket(router.baseUri().getHost(), router.baseUri().getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      int requestsBefore = hanging.requests();
      send(out, get("up{cluster=\"b\"}"));
      await(Duration.ofSeconds(10), () -> hanging.requests() > requestsBefore, "the shard is asked");
      Thread.sleep(200);
      send(out, get("up{cluster=\"a\"}")); // the watch wakes and reads its first byte
      waitAndRecover(Duration.ofMillis(300));

      String first = readResponse(in);
      String second = readResponse(in);

      assertThat(first).as("the first answer").startsWith("HTTP/1.1 200").contains("\"b-1\"");
      assertThat(second).as("the second answer").startsWith("HTTP/1.1 200").contains("\"a-1\"");
    }
  }

  /**
   * Lets the request to the hanging shard wait {@code wait}, then heals the shard: its hanging
   * connection is closed, and the router's retry on a new connection gets a healthy answer.
   */
  private void waitAndRecover(Duration wait) throws Exception {
    Thread.sleep(wait.toMillis());
    hanging.fault(Fault.NONE);
  }

  private static void send(OutputStream out, String request) throws IOException {
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static String get(String query) {
    return "GET /api/v1/query?query=" + encode(query) + "&time=1000 HTTP/1.1\r\nHost: x\r\n\r\n";
  }

  /** One HTTP/1.1 response with a Content-Length or chunked body, as text (chunk sizes included). */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head.toString(StandardCharsets.ISO_8859_1));
      }
      head.write(b);
    }
    String headers = head.toString(StandardCharsets.ISO_8859_1);
    StringBuilder response = new StringBuilder(headers);
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(headers);
    if (length.find()) {
      response.append(new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8));
      return response.toString();
    }
    while (true) { // chunked
      String size = line(in);
      int bytes = Integer.parseInt(size.trim(), 16);
      response.append(new String(in.readNBytes(bytes), StandardCharsets.UTF_8));
      line(in);
      if (bytes == 0) {
        return response.toString();
      }
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("connection closed");
      }
      line.append((char) b);
    }
    return line.toString();
  }

  private static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
