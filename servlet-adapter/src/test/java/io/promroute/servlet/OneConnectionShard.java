package io.promroute.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;

/**
 * A shard on a raw loopback socket that reads one request's head and then answers as a test writes
 * it, byte by byte: for answers no HTTP server library sends (cut off, endless, late).
 */
final class OneConnectionShard implements AutoCloseable {

  /**
   * Writes the answer; an exception ends the connection (the router went away, or the test is
   * over).
   */
  @FunctionalInterface
  interface Answer {
    void write(InputStream in, OutputStream out) throws IOException, InterruptedException;
  }

  private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

  OneConnectionShard(Answer answer) throws IOException {
    Thread acceptor =
        new Thread(
            () -> {
              try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                StringBuilder request = new StringBuilder();
                int read;
                while (request.indexOf("\r\n\r\n") < 0 && (read = in.read()) >= 0) {
                  request.append((char) read);
                }
                answer.write(in, socket.getOutputStream());
              } catch (IOException | InterruptedException e) {
                // the router went away first, or the test is over
              }
            },
            "one-connection-shard");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
