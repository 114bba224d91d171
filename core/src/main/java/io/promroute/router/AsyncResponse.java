package io.promroute.router;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The response to one {@link ApiRequest}, answered after the transport's thread has returned: the
 * engine writes it from whichever thread finishes the work, and ends it exactly once, with {@link
 * #complete()} or {@link #abort(Throwable)}. Status and headers are set before the body is written.
 */
public interface AsyncResponse {

  /**
   * Sets the HTTP status.
   *
   * @param status e.g. 200, or an error status of Prometheus's API (400, 422, 503, ...)
   */
  void setStatus(int status);

  /**
   * Sets the {@code Content-Type} header.
   *
   * @param contentType e.g. {@code application/json}
   */
  void setContentType(String contentType);

  /**
   * Sets a header, replacing any value it had.
   *
   * @param name the header name
   * @param value the value
   */
  void setHeader(String name, String value);

  /**
   * The body; writing may block while the client is slow.
   *
   * @return the body's stream
   * @throws IOException if the client is gone
   */
  OutputStream getOutputStream() throws IOException;

  /**
   * Whether status and headers have been sent, so that an error can no longer replace the answer.
   *
   * @return {@code true} once committed
   */
  boolean isCommitted();

  /** Forgets status, headers and buffered body; {@link IllegalStateException} once committed. */
  void reset();

  /** Ends the response normally; later calls do nothing. */
  void complete();

  /**
   * Ends the response abnormally, once an answer is committed and cannot be finished (a shard lost
   * mid-stream): the client must see a broken connection, not an answer that looks whole.
   *
   * @param cause why, for the transport's log
   */
  void abort(Throwable cause);
}
