package io.promroute.router;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A shard's JSON answer held in memory, for upstream clients written as fakes; each {@link #body()}
 * reads it from the start.
 */
public record InMemoryResponse(int status, String json) implements UpstreamResponse {

  @Override
  public Map<String, List<String>> headers() {
    return Map.of("content-type", List.of("application/json"));
  }

  @Override
  public InputStream body() {
    return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {}
}
