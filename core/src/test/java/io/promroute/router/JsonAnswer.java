package io.promroute.router;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A shard's JSON answer whose body streams, for hand-written upstream clients ({@link
 * InMemoryResponse} holds one in memory).
 */
record JsonAnswer(int status, InputStream body) implements UpstreamResponse {

  /** The answer with a body that streams (not in memory), as a client passes on a large answer. */
  static JsonAnswer streamed(int status, String json) {
    return new JsonAnswer(
        status,
        new FilterInputStream(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))) {});
  }

  @Override
  public Map<String, List<String>> headers() {
    return Map.of("content-type", List.of("application/json"));
  }

  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
