package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * POST bodies count against the router's memory budget ({@code limits.max_memory}) while they are
 * read and kept, and give it back when their request ends: on real sockets, clients that hold large
 * bodies half sent fill a small budget, so that another large body gets the budget's 503 (a body
 * larger than the whole budget its 422) while a GET still answers; once they are done, a large body
 * passes.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RequestBodyMemoryTest {

  /** The budget: 4 MiB. */
  private static final String LIMITS = "limits:\n  max_memory: 4MB\n";

  /** A form body of {@code bytes} bytes: {@code up} and a comment that pads it. */
  private static byte[] form(int bytes) {
    String start = "query=up%20%23%20";
    String time = "&time=1767268800";
    return (start + "x".repeat(bytes - start.length() - time.length()) + time)
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Sends the headers of a form POST of {@code body} and its first {@code sent} bytes. */
  private static Socket postStarted(URI base, byte[] body, int sent) throws IOException {
    Socket socket = new Socket(base.getHost(), base.getPort());
    socket.setSoTimeout(30_000);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /api/v1/query HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(body, 0, sent);
    out.flush();
    return socket;
  }

  /** Sends the rest of the body and reads the answer: its status line and body. */
  private static String finish(Socket socket, byte[] body, int sent) throws IOException {
    try (socket) {
      socket.getOutputStream().write(body, sent, body.length - sent);
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      in.transferTo(answer);
      String text = answer.toString(StandardCharsets.UTF_8);
      return text.substring(0, text.indexOf("\r\n")) + " " + text.substring(text.indexOf("{"));
    }
  }

  private static String post(URI base, byte[] body) throws IOException {
    return finish(postStarted(base, body, 0), body, 0);
  }

  private static String get(URI base) throws IOException {
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              ("GET /api/v1/query?query=up&time=1767268800 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      + "Connection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return text.substring(0, text.indexOf("\r\n")) + " " + text.substring(text.indexOf("{"));
    }
  }

  @Test
  void largeBodiesBeyondTheBudgetAreRefusedWhileAGetAnswersAndTheirBytesComeBack()
      throws Exception {
    try (FakePrometheus a = new FakePrometheus("a:9100");
        FakePrometheus b = new FakePrometheus("b:9100");
        StandaloneTestRouter router =
            new StandaloneTestRouter(
                Map.of("a", a.address(), "b", b.address()),
                Duration.ofSeconds(10),
                hostPort -> hostPort,
                LIMITS)) {
      URI base = router.baseUri();
      byte[] large = form(400_000);
      assertThat(post(base, large)).as("a large body alone").startsWith("HTTP/1.1 200");

      // Three clients stop near the end of their bodies: what they sent holds three quarters of
      // the budget (3 bytes a byte sent while the body is read, taken in 256 KiB chunks).
      byte[] held = form(330_000);
      int sent = 300_000;
      List<Socket> holders = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        holders.add(postStarted(base, held, sent));
      }
      Thread.sleep(1000); // the router reads what they sent

      String refused = post(base, large);
      String small = get(base);

      List<String> holderAnswers = new ArrayList<>();
      for (Socket holder : holders) {
        holderAnswers.add(finish(holder, held, sent));
      }
      String whole = post(base, form(1_000_000));
      String later = post(base, large);

      assertThat(refused)
          .isEqualTo(
              "HTTP/1.1 503 Service Unavailable {\"status\":\"error\",\"errorType\":\"unavailable\","
                  + "\"error\":\"the router's memory budget (limits.max_memory) is held by other"
                  + " queries; try again later\"}");
      assertThat(small).as("a GET while the budget is held").startsWith("HTTP/1.1 200");
      assertThat(whole)
          .as("a body that alone needs more than the budget")
          .startsWith("HTTP/1.1 422")
          .contains("\"errorType\":\"execution\"", "limits.max_memory");
      // Finishing at once, they need more than the budget between them: the last may wait for the
      // first to end, or be refused, but not all of them.
      assertThat(holderAnswers).anySatisfy(answer -> assertThat(answer).startsWith("HTTP/1.1 200"));
      assertThat(later).as("a large body once the others are done").startsWith("HTTP/1.1 200");
    }
  }
}
