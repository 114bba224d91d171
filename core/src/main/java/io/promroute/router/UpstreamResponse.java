package io.promroute.router;

import java.io.Closeable;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/** A shard's response whose body is still streaming. Close it to release the connection. */
public interface UpstreamResponse extends Closeable {

  /**
   * The HTTP status the shard answered.
   *
   * @return e.g. 200, or Prometheus's 400 / 422 / 503 with a JSON error body
   */
  int status();

  /**
   * Response headers.
   *
   * @return every header's values, by name in lower case
   */
  Map<String, List<String>> headers();

  /**
   * The body, read as it arrives; reads fail with an {@link java.io.IOException} once the
   * request's deadline has passed.
   *
   * @return the body's stream
   */
  InputStream body();

  /** Releases the connection, abandoning a body not read to its end; throws nothing. */
  @Override
  void close();
}
