package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.it.FaultyShard.Fault;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A router notices a client that closes its HTTP/1.1 connection while its request waits for a
 * shard, on real sockets: the shard request is cancelled within a second or so instead of at the
 * upstream timeout (how long it took is printed); and noticing it leaves keep-alive and a pipelined
 * next request alone. Each router (the filter in Jetty and in Tomcat, the standalone router)
 * extends this with {@link #startRouter}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ClientCloseCases {

  /** Long, so that only the client's going away can end a shard request early. */
  protected static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** How soon after the client left its shard request must be cancelled. */
  private static final Duration CANCELLED_WITHIN = Duration.ofSeconds(3);

  private FaultyShard hanging;
  private FaultyShard healthy;
  private URI router;

  /**
   * Starts the router under test over {@code targets} (shard key to {@code host:port}), with {@code
   * timeout} as its upstream timeout.
   */
  protected abstract URI startRouter(Map<String, String> targets, Duration timeout)
      throws Exception;

  protected abstract void stopRouter() throws Exception;

  /** The router's name, for the figure printed. */
  protected abstract String name();

  @BeforeAll
  void start() throws Exception {
    hanging = new FaultyShard("b");
    healthy = new FaultyShard("a");
    Map<String, String> targets = new LinkedHashMap<>();
    targets.put("a", healthy.hostPort());
    targets.put("b", hanging.hostPort());
    router = startRouter(targets, TIMEOUT);
  }

  @AfterAll
  void stop() throws Exception {
    stopRouter();
    hanging.close();
    healthy.close();
  }

  @org.junit.jupiter.api.BeforeEach
  void hang() throws IOException {
    hanging.fault(Fault.HANG_BEFORE_HEADERS);
  }

  @Test
  void aClientThatClosesWhileItsShardHangsCancelsTheShardRequestAtOnce() throws Exception {
    Duration took = closeWhileWaiting(get("up{cluster=\"b\"}"));
    System.out.printf(
        "%s: shard request cancelled %d ms after the client left (upstream timeout %d ms)%n",
        name(), took.toMillis(), TIMEOUT.toMillis());
  }

  @Test
  void aClientThatClosesAfterAFormPostCancelsTheShardRequestAtOnce() throws Exception {
    String form = "query=" + encode("up{cluster=\"b\"}");
    closeWhileWaiting(
        "POST /api/v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: "
            + form.length()
            + "\r\n\r\n"
            + form);
  }

  @Test
  void aFanOutWhoseClientClosesCancelsEveryShardRequest() throws Exception {
    closeWhileWaiting(get("up"));
  }

  /**
   * Sends {@code request}, waits for the hanging shard to receive it, closes; how long until the
   * shard request is gone.
   */
  private Duration closeWhileWaiting(String request) throws Exception {
    int requestsBefore = hanging.requests();
    int closedBefore = hanging.closedByPeer();
    long gone;
    try (Socket socket = new Socket(router.getHost(), router.getPort())) {
      send(socket.getOutputStream(), request);
      await(
          Duration.ofSeconds(10), () -> hanging.requests() > requestsBefore, "the shard is asked");
      Thread.sleep(200); // the request waits for the shard, with nothing read or written
      gone = System.nanoTime();
    }
    await(TIMEOUT, () -> hanging.closedByPeer() > closedBefore, "the shard request is cancelled");
    Duration took = Duration.ofNanos(System.nanoTime() - gone);
    assertThat(took)
        .as("time from the client's close to the shard request's end")
        .isLessThan(CANCELLED_WITHIN);
    return took;
  }

  /**
   * A request that waited with the watch on (its shard trickled its answer for about four seconds)
   * leaves the connection usable: the container finds no read of the watch's pending when the
   * answer completes, and the next request on the kept-alive connection is answered.
   */
  @Test
  void aKeptAliveConnectionServesTheNextRequestAfterAWatchedOne() throws Exception {
    hanging.fault(Fault.TRICKLE);
    try (Socket socket = new Socket(router.getHost(), router.getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (int i = 0; i < 2; i++) {
        send(out, SLOW_B);
        assertThat(readResponse(in))
            .as("answer %d", i)
            .startsWith("HTTP/1.1 200")
            .contains("\"node\"");
        send(out, get("up{cluster=\"a\"}"));
        assertThat(readResponse(in))
            .as("the next answer %d", i)
            .startsWith("HTTP/1.1 200")
            .contains("\"a-1\"");
      }
    }
  }

  /**
   * A next request sent while the first one waits (pipelining) is not lost to the watch, which
   * reads its first byte and hands it back: the connection answers both, in order, whole.
   */
  @Test
  void aPipelinedRequestSentWhileTheFirstWaitsIsAnsweredAfterIt() throws Exception {
    hanging.fault(Fault.TRICKLE);
    try (Socket socket = new Socket(router.getHost(), router.getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      int requestsBefore = hanging.requests();
      send(out, SLOW_B);
      await(
          Duration.ofSeconds(10), () -> hanging.requests() > requestsBefore, "the shard is asked");
      Thread.sleep(3 * 250); // the watch has read the connection a few times
      send(out, get("up{cluster=\"a\"}")); // the watch wakes and reads its first byte

      String first = readResponse(in);
      String second = readResponse(in);

      assertThat(first).as("the first answer").startsWith("HTTP/1.1 200").contains("\"node\"");
      assertThat(second).as("the second answer").startsWith("HTTP/1.1 200").contains("\"a-1\"");
    }
  }

  /**
   * Shard b's values of {@code job}: with {@link Fault#TRICKLE}, its 37 bytes come one every
   * {@value FaultyShard#TRICKLE_INTERVAL_MS} ms, so the request waits about four seconds with
   * nothing read or written, then is answered.
   */
  private static final String SLOW_B =
      "GET /api/v1/label/job/values?match%5B%5D="
          + encode("up{cluster=\"b\"}")
          + " HTTP/1.1\r\nHost: x\r\n\r\n";

  private static void send(OutputStream out, String request) throws IOException {
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static String get(String query) {
    return "GET /api/v1/query?query=" + encode(query) + "&time=1000 HTTP/1.1\r\nHost: x\r\n\r\n";
  }

  /**
   * One HTTP/1.1 response with a Content-Length or chunked body, as text (chunk sizes included).
   */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException(
            "connection closed after " + head.toString(StandardCharsets.ISO_8859_1));
      }
      head.write(b);
    }
    String headers = head.toString(StandardCharsets.ISO_8859_1);
    StringBuilder response = new StringBuilder(headers);
    java.util.regex.Matcher length =
        java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(headers);
    if (length.find()) {
      response.append(
          new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8));
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

  private static void await(Duration timeout, BooleanSupplier condition, String what)
      throws InterruptedException {
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
