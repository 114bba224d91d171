package io.promroute.servlet.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A client that sends a form POST's headers and only part of its body, then the rest when told: on
 * a raw socket, since HTTP clients send a body whole.
 */
public final class HalfSentPost implements AutoCloseable {

  private final Socket socket;
  private final byte[] body;
  private final int sent;

  private HalfSentPost(Socket socket, byte[] body, int sent) {
    this.socket = socket;
    this.body = body;
    this.sent = sent;
  }

  /**
   * Sends the headers of a POST of {@code body} (a form) to {@code path} and its first {@code sent}
   * bytes.
   */
  public static HalfSentPost start(URI base, String path, byte[] body, int sent)
      throws IOException {
    Socket socket = new Socket(base.getHost(), base.getPort());
    try {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                  + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, sent);
      out.flush();
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    return new HalfSentPost(socket, body, sent);
  }

  /**
   * Sends the rest of the body and reads the answer to its end.
   *
   * @return its status line, a space, and its body
   */
  public String finish() throws IOException {
    try (socket) {
      socket.getOutputStream().write(body, sent, body.length - sent);
      socket.getOutputStream().flush();
      String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return text.substring(0, text.indexOf("\r\n"))
          + " "
          + text.substring(text.indexOf("\r\n\r\n") + 4);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
