package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PerClientConnectionLimitTest {

  private final PerClientConnectionLimit limit = new PerClientConnectionLimit(2);
  private Server server;
  private int port;

  @BeforeEach
  void start() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.addBean(limit);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            Content.Sink.write(response, true, "ok", callback);
            return true;
          }
        });
    server.start();
    port = connector.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  @Test
  void aClientOverItsConnectionLimitIsClosedAndMayConnectAgainOnceItClosedOne() throws Exception {
    // The first connection is closed mid-test, so it is not a try-with-resources resource.
    Socket first = new Socket("127.0.0.1", port);
    try (Socket second = new Socket("127.0.0.1", port)) {
      assertThat(answer(first)).startsWith("HTTP/1.1 200");
      assertThat(answer(second)).startsWith("HTTP/1.1 200");

      try (Socket third = new Socket("127.0.0.1", port)) {
        third.setSoTimeout(10_000);
        assertThat(third.getInputStream().read()).isEqualTo(-1); // closed as it opened
      }

      first.close();
      awaitOpen(1);
      try (Socket again = new Socket("127.0.0.1", port)) {
        assertThat(answer(again)).startsWith("HTTP/1.1 200");
      }
    } finally {
      first.close(); // a no-op when the test closed it
    }
  }

  private void awaitOpen(int connections) throws IOException, InterruptedException {
    InetAddress client = InetAddress.getByName("127.0.0.1");
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (limit.open(client) != connections && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(limit.open(client)).isEqualTo(connections);
  }

  private static String answer(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    socket
        .getOutputStream()
        .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    byte[] status = socket.getInputStream().readNBytes(12);
    return new String(status, StandardCharsets.US_ASCII);
  }
}
