package io.promroute.examples;

import io.promroute.api.ApiError;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A response that counts the body bytes written through it and keeps the start of an error
 * answer, so that the access log can say how much was sent and why a request failed.
 */
final class ObservedResponse extends HttpServletResponseWrapper {

  /** Prometheus's error envelope is small; a longer body is not one. */
  private static final int KEPT_ERROR_BYTES = 4096;

  private final ByteArrayOutputStream errorBody = new ByteArrayOutputStream();
  private volatile long bytes;
  private ServletOutputStream output;

  ObservedResponse(HttpServletResponse response) {
    super(response);
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (output == null) {
      output = new Counting(super.getOutputStream());
    }
    return output;
  }

  @Override
  public void reset() {
    super.reset();
    bytes = 0; // the error writer resets what a failed answer had started
    synchronized (errorBody) {
      errorBody.reset();
    }
  }

  @Override
  public void resetBuffer() {
    super.resetBuffer();
    bytes = 0;
    synchronized (errorBody) {
      errorBody.reset();
    }
  }

  /** Body bytes written, before any compression further out. */
  long bytes() {
    return bytes;
  }

  /**
   * The {@code error} of a Prometheus error envelope, or of a plain text answer its first line;
   * {@code null} for a success.
   */
  String error(int status) {
    if (status < 400) {
      return null;
    }
    byte[] body;
    synchronized (errorBody) {
      body = errorBody.toByteArray();
    }
    ApiError error = ApiError.fromShard(status, body, "");
    if (error != null) {
      return error.message();
    }
    String text = new String(body, StandardCharsets.UTF_8).strip();
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  private final class Counting extends ServletOutputStream {
    private final ServletOutputStream out;

    Counting(ServletOutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      wrote(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
      out.write(buffer, offset, length);
      wrote(buffer, offset, length);
    }

    private void wrote(byte[] buffer, int offset, int length) {
      bytes += length; // one writer at a time: the request's current thread
      if (getStatus() >= 400) {
        synchronized (errorBody) {
          int room = KEPT_ERROR_BYTES - errorBody.size();
          if (room > 0) {
            errorBody.write(buffer, offset, Math.min(room, length));
          }
        }
      }
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }

    @Override
    public boolean isReady() {
      return out.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      out.setWriteListener(listener);
    }
  }
}
