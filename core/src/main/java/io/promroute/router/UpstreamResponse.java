package io.promroute.router;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

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
   * The body, read as it arrives; reads fail with an {@link java.io.IOException} once the request's
   * deadline has passed.
   *
   * @return the body's stream
   */
  InputStream body();

  /** Releases the connection, abandoning a body not read to its end; throws nothing. */
  @Override
  void close();

  /**
   * A response whose headers are known and whose body streams; closing it closes the body (for the
   * clients, closing a body before its end aborts the exchange and releases the connection).
   *
   * @param status the HTTP status
   * @param headers the headers as the client gives them, names in any case; values of names that
   *     differ only in case are joined
   * @param body the body's stream
   * @return the response
   */
  static UpstreamResponse of(int status, Map<String, List<String>> headers, InputStream body) {
    Map<String, List<String>> lower = new TreeMap<>();
    headers.forEach(
        (name, values) ->
            lower
                .computeIfAbsent(name.toLowerCase(Locale.ROOT), key -> new ArrayList<>())
                .addAll(values));
    lower.replaceAll((name, values) -> List.copyOf(values));
    Map<String, List<String>> copied = Map.copyOf(lower);
    return new UpstreamResponse() {
      @Override
      public int status() {
        return status;
      }

      @Override
      public Map<String, List<String>> headers() {
        return copied;
      }

      @Override
      public InputStream body() {
        return body;
      }

      @Override
      public void close() {
        try {
          body.close();
        } catch (IOException ignored) {
          // the connection is being dropped anyway
        }
      }
    };
  }
}
