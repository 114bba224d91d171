package io.promroute.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JdkUpstreamClientTest {

  @Test
  void cancellingTheFutureClosesTheShardConnection() throws Exception {
    AtomicInteger closed = new AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
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
      java.util.concurrent.atomic.AtomicReference<CompletableFuture<UpstreamResponse>> ref = new java.util.concurrent.atomic.AtomicReference<>();
      Thread sender = new Thread(() -> ref.set(client.send(new UpstreamRequest(
          "a", ShardTarget.of(uri), "GET", uri.resolve("/api/v1/query?query=up"), Map.of(), new byte[0], Duration.ofSeconds(60)))));
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
}
