package io.promroute.standalone;

import io.promroute.api.ApiError;
import io.promroute.api.ApiException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
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
 *
 * <p>What it keeps is counted against the router's memory budget ({@code limits.max_memory}) before
 * it is kept, until the request ends ({@link io.promroute.router.Exchange#reserveBody}): many
 * clients sending large bodies at once get the budget's 503 (or 422 for a body larger than the
 * whole budget), not an {@code OutOfMemoryError}. The body is then read to its end and dropped.
 */
final class FormBodyReader implements Runnable {

  private static final long MAX_DISCARDED_BYTES = 64L << 20;

  /**
   * What one kept byte costs: the buffer that grows to hold it (up to twice its size), and the copy
   * of it handed to the engine, kept until the request ends.
   */
  static final int KEPT_BYTE_COST = 3;

  private final Request request;
  private final int keep;
  private final LongConsumer memory;
  private final BiConsumer<byte[], Boolean> done;
  private final Consumer<ApiError> refused;
  private final Consumer<Throwable> failed;
  private ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private ApiError refusal;
  private long discarded;

  /**
   * @param memory counts bytes against the memory budget, throwing its {@link ApiException} when it
   *     has no room
   * @param done called once with the kept bytes when the body has ended, and whether it was read to
   *     its end (not when more than 64 MiB were dropped)
   * @param refused called once instead, when the body has ended, if the budget refused to hold it
   * @param failed called once instead when reading failed (the client went away, or was idle too
   *     long)
   */
  FormBodyReader(
      Request request,
      int keep,
      LongConsumer memory,
      BiConsumer<byte[], Boolean> done,
      Consumer<ApiError> refused,
      Consumer<Throwable> failed) {
    this.request = request;
    this.keep = keep;
    this.memory = memory;
    this.done = done;
    this.refused = refused;
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
        if (refusal != null) {
          refused.accept(refusal);
        } else {
          done.accept(kept.toByteArray(), last);
        }
        return;
      }
    }
  }

  private void take(ByteBuffer buffer) {
    int length = refusal != null ? 0 : Math.min(buffer.remaining(), keep - kept.size());
    if (length > 0) {
      try {
        memory.accept((long) KEPT_BYTE_COST * length);
      } catch (ApiException e) {
        // Nothing more is kept; what was is dropped, and the rest is read and dropped too.
        refusal = e.error();
        kept = new ByteArrayOutputStream(0);
        length = 0;
      }
    }
    if (length > 0) {
      byte[] bytes = new byte[length];
      buffer.get(bytes);
      kept.write(bytes, 0, length);
    }
    discarded += buffer.remaining();
  }
}
