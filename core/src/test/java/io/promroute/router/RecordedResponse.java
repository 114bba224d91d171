package io.promroute.router;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * What a client got from an exchange; {@link #clientGone} makes writes fail once the status line is
 * out.
 */
final class RecordedResponse implements AsyncResponse {
  final ByteArrayOutputStream body = new ByteArrayOutputStream();
  final CountDownLatch ended = new CountDownLatch(1);
  volatile int status;
  volatile boolean committed;
  volatile boolean aborted;
  volatile boolean clientGone;

  @Override
  public void setStatus(int status) {
    this.status = status;
  }

  @Override
  public void setContentType(String contentType) {}

  @Override
  public void setHeader(String name, String value) {}

  @Override
  public OutputStream getOutputStream() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        committed = true; // the status line went out, then the connection broke
        if (clientGone) {
          throw new IOException("client gone");
        }
        body.write(bytes, offset, length);
      }
    };
  }

  @Override
  public boolean isCommitted() {
    return committed;
  }

  @Override
  public void reset() {
    body.reset();
  }

  @Override
  public void complete() {
    ended.countDown();
  }

  @Override
  public void abort(Throwable cause) {
    aborted = true;
    ended.countDown();
  }

  String text() {
    return body.toString(StandardCharsets.UTF_8);
  }
}
