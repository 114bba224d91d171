package io.promroute.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JdkUpstreamClientTest {

  @Test
  void cancellingTheFutureClosesTheShardConnection() throws Exception {
    AtomicInteger closed = new AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try (Socket socket = server.accept()) {
                  while (socket.getInputStream().read() >= 0) {
                    // read the request, never answer
                  }
                  closed.incrementAndGet();
                } catch (IOException e) {
                  closed.incrementAndGet();
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort());
      UpstreamClient client = UpstreamClient.jdk();
      java.util.concurrent.atomic.AtomicReference<CompletableFuture<UpstreamResponse>> ref =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread sender =
          new Thread(
              () ->
                  ref.set(
                      client.send(
                          new UpstreamRequest(
                              "a",
                              ShardTarget.of(uri),
                              "GET",
                              uri.resolve("/api/v1/query?query=up"),
                              Map.of(),
                              new byte[0],
                              Duration.ofSeconds(60)))));
      sender.start();
      sender.join();
      CompletableFuture<UpstreamResponse> future = ref.get();
      CompletableFuture.allOf(future).whenComplete((ignored, failure) -> {});
      Thread.sleep(300);

      future.cancel(true);

      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (closed.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(closed.get()).isEqualTo(1);
    }
  }

  @Test
  void aGetWithAQueryOfHundredsOfKilobytesReachesTheShardWhole() throws Exception {
    String query = "up" + " or up".repeat(50_000);
    String small = "{\"status\":\"success\",\"data\":[]}";
    java.util.concurrent.atomic.AtomicReference<String> requestLine =
        new java.util.concurrent.atomic.AtomicReference<>();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread shard =
          new Thread(
              () -> {
                try (Socket socket = server.accept()) {
                  java.io.BufferedReader in =
                      new java.io.BufferedReader(
                          new java.io.InputStreamReader(
                              socket.getInputStream(),
                              java.nio.charset.StandardCharsets.ISO_8859_1));
                  requestLine.set(in.readLine());
                  for (String line = in.readLine();
                      line != null && !line.isEmpty();
                      line = in.readLine()) {
                    // the request's headers
                  }
                  socket
                      .getOutputStream()
                      .write(
                          ("HTTP/1.1 200 OK\r\nContent-Length: "
                                  + small.length()
                                  + "\r\n\r\n"
                                  + small)
                              .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                  // the test fails on its own assertions
                }
              });
      shard.setDaemon(true);
      shard.start();
      String encoded = java.net.URLEncoder.encode(query, java.nio.charset.StandardCharsets.UTF_8);

      try (UpstreamResponse response =
          UpstreamClient.jdk()
              .send(get(server, "/api/v1/query?query=" + encoded))
              .get(10, java.util.concurrent.TimeUnit.SECONDS)) {
        assertThat(response.status()).isEqualTo(200);
      }
      assertThat(requestLine.get()).isEqualTo("GET /api/v1/query?query=" + encoded + " HTTP/1.1");
    }
  }

  @Test
  void aSmallAnswerComesWholeAndAChunkedOneStreams() throws Exception {
    String small = "{\"status\":\"success\",\"data\":[]}";
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread shard =
          new Thread(
              () -> {
                try (Socket socket = server.accept()) {
                  java.io.BufferedReader in =
                      new java.io.BufferedReader(
                          new java.io.InputStreamReader(
                              socket.getInputStream(),
                              java.nio.charset.StandardCharsets.ISO_8859_1));
                  java.io.OutputStream out = socket.getOutputStream();
                  for (int request = 0; request < 2; request++) {
                    for (String line = in.readLine();
                        line != null && !line.isEmpty();
                        line = in.readLine()) {
                      // the request's headers
                    }
                    String answer =
                        request == 0
                            ? "HTTP/1.1 200 OK\r\nContent-Length: "
                                + small.length()
                                + "\r\n\r\n"
                                + small
                            : "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + Integer.toHexString(small.length())
                                + "\r\n"
                                + small
                                + "\r\n0\r\n\r\n";
                    out.write(answer.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    out.flush();
                  }
                } catch (IOException e) {
                  // the test fails on its own assertions
                }
              });
      shard.setDaemon(true);
      shard.start();
      UpstreamClient client = UpstreamClient.jdk();
      UpstreamRequest request = get(server, "/api/v1/query?query=up");

      try (UpstreamResponse whole =
          client.send(request).get(10, java.util.concurrent.TimeUnit.SECONDS)) {
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.body()).isInstanceOf(java.io.ByteArrayInputStream.class);
        assertThat(new String(whole.body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
            .isEqualTo(small);
      }
      try (UpstreamResponse streamed =
          client.send(request).get(10, java.util.concurrent.TimeUnit.SECONDS)) {
        assertThat(streamed.status()).isEqualTo(200);
        assertThat(streamed.body()).isNotInstanceOf(java.io.ByteArrayInputStream.class);
        assertThat(
                new String(streamed.body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
            .isEqualTo(small);
      }
    }
  }

  /**
   * A future answered at the headers of a streamed body belongs to the caller: a late cancel (a
   * fail-over layer cancelling the attempts it no longer needs) must not break the body off.
   */
  @Test
  void cancellingAnAnsweredRequestLeavesItsStreamingBodyWhole() throws Exception {
    String first = "{\"status\":\"success\",";
    String rest = "\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
    java.util.concurrent.CountDownLatch cancelled = new java.util.concurrent.CountDownLatch(1);
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread shard =
          new Thread(
              () -> {
                try (Socket socket = server.accept()) {
                  java.io.BufferedReader in =
                      new java.io.BufferedReader(
                          new java.io.InputStreamReader(
                              socket.getInputStream(),
                              java.nio.charset.StandardCharsets.ISO_8859_1));
                  for (String line = in.readLine();
                      line != null && !line.isEmpty();
                      line = in.readLine()) {
                    // the request's headers
                  }
                  java.io.OutputStream out = socket.getOutputStream();
                  out.write(
                      ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                              + Integer.toHexString(first.length())
                              + "\r\n"
                              + first
                              + "\r\n")
                          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                  out.flush();
                  cancelled.await(10, java.util.concurrent.TimeUnit.SECONDS);
                  out.write(
                      (Integer.toHexString(rest.length()) + "\r\n" + rest + "\r\n0\r\n\r\n")
                          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                  out.flush();
                  while (socket.getInputStream().read() >= 0) {
                    // until the client closes
                  }
                } catch (IOException | InterruptedException e) {
                  // the test fails on its own assertions
                }
              });
      shard.setDaemon(true);
      shard.start();
      UpstreamClient client = UpstreamClient.jdk();
      CompletableFuture<UpstreamResponse> future =
          client.send(get(server, "/api/v1/query?query=up"));
      try (UpstreamResponse response = future.get(10, java.util.concurrent.TimeUnit.SECONDS)) {

        assertThat(future.cancel(true)).isFalse();
        cancelled.countDown();

        assertThat(
                new String(response.body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
            .isEqualTo(first + rest);
      }
    }
  }

  /**
   * The router closes a shard's body once it has read the JSON value, often before the client has
   * seen the chunked body's end. Dropping the connection then would race the client handing it back
   * to its pool (and break another request's answer); instead the end is awaited, and the
   * connection serves the next request.
   */
  @Test
  void aBodyClosedJustBeforeItsEndLeavesItsConnectionToTheNextRequest() throws Exception {
    String json = "{\"status\":\"success\",\"data\":[]}";
    AtomicInteger connections = new AtomicInteger();
    java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch closedByTheClient =
        new java.util.concurrent.CountDownLatch(1);
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread shard =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket socket = server.accept();
                    connections.incrementAndGet();
                    Thread serving =
                        new Thread(() -> serve(socket, json, closedByTheClient, ended));
                    serving.setDaemon(true);
                    serving.start();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      shard.setDaemon(true);
      shard.start();
      UpstreamClient client = UpstreamClient.jdk();
      UpstreamRequest request = get(server, "/api/v1/labels");

      try (UpstreamResponse first =
          client.send(request).get(10, java.util.concurrent.TimeUnit.SECONDS)) {
        assertThat(
                new String(
                    first.body().readNBytes(json.length()),
                    java.nio.charset.StandardCharsets.UTF_8))
            .isEqualTo(json);
      } // closed before the end of the chunked body arrived
      closedByTheClient.countDown();
      assertThat(ended.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      Thread.sleep(300); // the end reaches the client, which puts the connection back in its pool

      try (UpstreamResponse second =
          client.send(request).get(10, java.util.concurrent.TimeUnit.SECONDS)) {
        assertThat(
                new String(second.body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
            .isEqualTo(json);
      }
      assertThat(connections.get()).as("connections opened").isEqualTo(1);
    }
  }

  /**
   * Answers each request on {@code socket} with {@code json} chunked; the first answer's end only
   * once the client closed its body.
   */
  private static void serve(
      Socket socket,
      String json,
      java.util.concurrent.CountDownLatch closedByTheClient,
      java.util.concurrent.CountDownLatch ended) {
    try (socket) {
      java.io.BufferedReader in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  socket.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
      java.io.OutputStream out = socket.getOutputStream();
      for (int request = 0; ; request++) {
        String line = in.readLine();
        if (line == null) {
          return;
        }
        while (line != null && !line.isEmpty()) {
          line = in.readLine(); // the request's headers
        }
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(json.length())
                    + "\r\n"
                    + json
                    + "\r\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        out.flush();
        if (request == 0) {
          closedByTheClient.await(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        out.write("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        out.flush();
        ended.countDown();
      }
    } catch (IOException | InterruptedException e) {
      // the client closed the connection: the test counts connections
    }
  }

  /** A GET of {@code path} from the shard listening on {@code server}, with a deadline of 10 s. */
  private static UpstreamRequest get(ServerSocket server, String path) {
    URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort());
    return new UpstreamRequest(
        "a",
        ShardTarget.of(uri),
        "GET",
        uri.resolve(path),
        Map.of(),
        new byte[0],
        Duration.ofSeconds(10));
  }
}
