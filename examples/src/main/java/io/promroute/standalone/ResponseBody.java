package io.promroute.standalone;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;

/**
 * The body of a Jetty {@link Response} as the engine writes it: bytes are kept until the buffer is
 * full, so that an answer that fits goes out in one write with a {@code Content-Length} (as a
 * servlet container's response buffer does), and a larger one is streamed in buffer-sized writes,
 * each waiting until Jetty has taken it (the engine writes from its own threads, which may block).
 * One writer at a time; not thread-safe.
 */
final class ResponseBody extends OutputStream {

  static final int BUFFER_BYTES = 32 * 1024;

  private final Response response;
  // Grows up to BUFFER_BYTES: most answers are small.
  private byte[] buffer = new byte[2048];
  private int count;
  private boolean streaming;

  ResponseBody(Response response) {
    this.response = response;
  }

  @Override
  public void write(int b) throws IOException {
    if (count == buffer.length && !grow(count + 1)) {
      send();
    }
    buffer[count++] = (byte) b;
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    if (count + length <= buffer.length || grow(count + length)) {
      System.arraycopy(bytes, offset, buffer, count, length);
      count += length;
      return;
    }
    send();
    if (length >= buffer.length) {
      blockingWrite(ByteBuffer.wrap(bytes, offset, length));
    } else {
      System.arraycopy(bytes, offset, buffer, 0, length);
      count = length;
    }
  }

  /**
   * Sends what is buffered once the answer is streaming; before that, keeps it: the end of the
   * answer follows at once, and then goes out whole with its length.
   */
  @Override
  public void flush() throws IOException {
    if (streaming) {
      send();
    }
  }

  /** Forgets what is buffered, for an answer replaced before it was sent. */
  void discard() {
    count = 0;
  }

  /**
   * Sends what is left as the last write; {@code callback} learns when the response is complete.
   */
  void finish(Callback callback) {
    if (!streaming && !response.isCommitted()) {
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, count);
    }
    response.write(true, ByteBuffer.wrap(buffer, 0, count), callback);
  }

  /** Whether the buffer now holds {@code needed} bytes; it grows up to {@link #BUFFER_BYTES}. */
  private boolean grow(int needed) {
    if (needed > BUFFER_BYTES) {
      if (buffer.length < BUFFER_BYTES) {
        buffer = Arrays.copyOf(buffer, BUFFER_BYTES);
      }
      return false;
    }
    buffer = Arrays.copyOf(buffer, Math.max(needed, Math.min(BUFFER_BYTES, buffer.length * 2)));
    return true;
  }

  private void send() throws IOException {
    if (count == 0) {
      return;
    }
    streaming = true;
    blockingWrite(ByteBuffer.wrap(buffer, 0, count));
    count = 0;
  }

  private void blockingWrite(ByteBuffer bytes) throws IOException {
    streaming = true;
    FutureCallback written = new FutureCallback();
    response.write(false, bytes, written);
    try {
      written.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing the answer");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }
}
