package io.promroute.standalone;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request body as it arrives without holding a thread while the client is slow: each round
 * takes what Jetty has received and asks Jetty ({@link Request#demand}) to call back when more
 * comes. A client trickling its POST body costs a connection and a small buffer, not one of the
 * server's threads.
 *
 * <p>Keeps the first {@code keep} bytes (the engine's limit plus one, enough for it to refuse a
 * larger body with its 400) and drops the rest, up to 64 MiB, as the engine would: a client still
 * sending its body would otherwise see a broken connection instead of the answer.
 */
final class FormBodyReader implements Runnable {

  private static final long MAX_DISCARDED_BYTES = 64L << 20;

  private final Request request;
  private final int keep;
  private final BiConsumer<byte[], Boolean> done;
  private final Consumer<Throwable> failed;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private long discarded;

  /**
   * @param done called once with the kept bytes when the body has ended, and whether it was read to
   *     its end (not when more than 64 MiB were dropped)
   * @param failed called once instead when reading failed (the client went away, or was idle too
   *     long)
   */
  FormBodyReader(
      Request request, int keep, BiConsumer<byte[], Boolean> done, Consumer<Throwable> failed) {
    this.request = request;
    this.keep = keep;
    this.done = done;
    this.failed = failed;
  }

  @Override
  public void run() {
    while (true) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(this); // called back on another thread once more bytes arrived
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        failed.accept(chunk.getFailure());
        return;
      }
      boolean last;
      try {
        take(chunk.getByteBuffer());
        last = chunk.isLast();
      } finally {
        chunk.release();
      }
      if (last || discarded > MAX_DISCARDED_BYTES) {
        done.accept(kept.toByteArray(), last);
        return;
      }
    }
  }

  private void take(ByteBuffer buffer) {
    int length = Math.min(buffer.remaining(), keep - kept.size());
    if (length > 0) {
      byte[] bytes = new byte[length];
      buffer.get(bytes);
      kept.write(bytes, 0, length);
    }
    discarded += buffer.remaining();
  }
}
