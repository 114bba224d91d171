package io.promroute.router;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One request to one shard.
 *
 * @param shard the shard key, for errors and logs
 * @param target the shard's configuration (TLS, credentials), for clients that need it per request
 * @param method {@code GET} or {@code POST}
 * @param uri the full URI, query string included
 * @param headers headers to send (credentials and extra headers of the target already applied)
 * @param body the body of a POST ({@code application/x-www-form-urlencoded}), or an empty array
 * @param timeout how long the whole exchange may take, from sending the request to the last byte of
 *     the answer's body
 */
public record UpstreamRequest(
    String shard,
    ShardTarget target,
    String method,
    URI uri,
    Map<String, List<String>> headers,
    byte[] body,
    Duration timeout) {

  /**
   * Checks the request and copies {@code headers} (the body array is not copied: do not change it).
   *
   * @param shard the shard key
   * @param target the shard's configuration
   * @param method {@code GET} or {@code POST}
   * @param uri the full URI
   * @param headers headers to send
   * @param body the body, empty for a GET
   * @param timeout the deadline for the whole exchange
   * @throws NullPointerException if an argument is null
   */
  public UpstreamRequest {
    requireNonNull(shard, "shard is null");
    requireNonNull(target, "target is null");
    requireNonNull(method, "method is null");
    requireNonNull(uri, "uri is null");
    headers = Map.copyOf(requireNonNull(headers, "headers is null"));
    requireNonNull(body, "body is null");
    requireNonNull(timeout, "timeout is null");
  }
}
