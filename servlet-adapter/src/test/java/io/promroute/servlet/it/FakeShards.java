package io.promroute.servlet.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Shards that misbehave on purpose, or only count, all on 127.0.0.1. */
public final class FakeShards {

  private FakeShards() {}

  /**
   * A shard that is down: a loopback port held by a bound socket that does not listen, so every
   * connection is refused and no other process can take the port while this is open.
   */
  public static final class Down implements AutoCloseable {
    private final Socket reserved = new Socket();

    public Down() throws IOException {
      reserved.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    public String hostPort() {
      return "127.0.0.1:" + reserved.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      reserved.close();
    }
  }

  /** Answers every request with an empty vector result, and counts the requests. */
  public static final class Counting implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    public Counting() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      server.createContext(
          "/",
          exchange -> {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            byte[] body =
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.start();
    }

    public String hostPort() {
      return "127.0.0.1:" + server.getAddress().getPort();
    }

    public int requests() {
      return requests.get();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /**
   * Accepts connections, reads what comes and never answers: a shard that hangs. Records when the
   * other side (the router) closes a connection.
   */
  public static final class Hanging implements AutoCloseable {
    private final ServerSocket serverSocket;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger closedByPeer = new AtomicInteger();
    private final Thread acceptor;

    public Hanging() throws IOException {
      serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor = new Thread(this::acceptLoop, "hanging-shard-" + serverSocket.getLocalPort());
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void acceptLoop() {
      while (!serverSocket.isClosed()) {
        try {
          Socket socket = serverSocket.accept();
          sockets.add(socket);
          accepted.incrementAndGet();
          Thread reader = new Thread(() -> drain(socket), "hanging-shard-reader");
          reader.setDaemon(true);
          reader.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void drain(Socket socket) {
      try (InputStream in = socket.getInputStream()) {
        byte[] buffer = new byte[8192];
        while (in.read(buffer) >= 0) {
          // Read the request and wait for more; never answer.
        }
        closedByPeer.incrementAndGet();
      } catch (IOException e) {
        if (!serverSocket.isClosed()) {
          closedByPeer.incrementAndGet();
        }
      }
    }

    public String hostPort() {
      return "127.0.0.1:" + serverSocket.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
      return accepted.get();
    }

    /** Connections the router closed (or reset). */
    public int closedByPeer() {
      return closedByPeer.get();
    }

    @Override
    public void close() throws IOException {
      serverSocket.close();
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }
}
