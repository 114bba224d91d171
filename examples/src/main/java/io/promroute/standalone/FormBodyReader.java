package io.promroute.standalone;

import io.promroute.api.ApiError;
import io.promroute.api.ApiException;
import io.promroute.router.BodyBytes;
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
 * <p>Keeps the body in the exchange's buffer ({@link io.promroute.router.Exchange#bodyBuffer}),
 * which the engine then parses without another copy: up to the engine's limit plus one byte, enough
 * for it to refuse a larger body with its 400, and drops the rest, up to 64 MiB, as the engine
 * would: a client still sending its body would otherwise see a broken connection instead of the
 * answer. The buffer counts what it keeps against the router's memory budget ({@code
 * limits.max_memory}) before it keeps it, until the request ends: many clients sending large bodies
 * at once get the budget's 503 (or 422 for a body larger than the whole budget), not an {@code
 * OutOfMemoryError}. The body is then read to its end and dropped.
 */
final class FormBodyReader implements Runnable {

  private static final long MAX_DISCARDED_BYTES = 64L << 20;

  private final Request request;
  private final BodyBytes kept;
  private final BiConsumer<byte[], Boolean> done;
  private final Consumer<ApiError> refused;
  private final Consumer<Throwable> failed;
  private ApiError refusal;
  private long discarded;

  /**
   * @param kept where the body is kept (and counted)
   * @param done called once with the kept bytes, gathered into one array, when the body has ended,
   *     and whether it was read to its end (not when more than 64 MiB were dropped)
   * @param refused called once instead, when the body has ended, if the budget refused to hold it
   * @param failed called once instead when reading failed (the client went away, or was idle too
   *     long)
   */
  FormBodyReader(
      Request request,
      BodyBytes kept,
      BiConsumer<byte[], Boolean> done,
      Consumer<ApiError> refused,
      Consumer<Throwable> failed) {
    this.request = request;
    this.kept = kept;
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
        end(last);
        return;
      }
    }
  }

  private void take(ByteBuffer buffer) {
    if (refusal == null) {
      try {
        kept.add(buffer);
      } catch (ApiException e) {
        // Nothing more is kept (what was is dropped with the request), and the rest is read and
        // dropped too.
        refusal = e.error();
      }
    }
    discarded += buffer.remaining();
  }

  private void end(boolean last) {
    byte[] body = null;
    if (refusal == null) {
      try {
        body = kept.bytes();
      } catch (ApiException e) {
        refusal = e.error(); // no room to gather it: the body was read whole, so answer now
      }
    }
    if (refusal != null) {
      refused.accept(refusal);
    } else {
      done.accept(body, last);
    }
  }
}
