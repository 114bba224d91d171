package io.promroute.router;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The response to one {@link ApiRequest}, answered after the transport's thread has returned: the
 * engine writes it from whichever thread finishes the work, and ends it exactly once, with {@link
 * #complete()} or {@link #abort(Throwable)}. Status and headers are set before the body is written.
 */
public interface AsyncResponse {

  void setStatus(int status);

  void setContentType(String contentType);

  void setHeader(String name, String value);

  /** The body; writing may block while the client is slow. */
  OutputStream getOutputStream() throws IOException;

  /** Whether status and headers have been sent, so that an error can no longer replace the answer. */
  boolean isCommitted();

  /** Forgets status, headers and buffered body; {@link IllegalStateException} once committed. */
  void reset();

  /** Ends the response normally; later calls do nothing. */
  void complete();

  /**
   * Ends the response abnormally, once an answer is committed and cannot be finished (a shard
   * lost mid-stream): the client must see a broken connection, not an answer that looks whole.
   */
  void abort(Throwable cause);
}
