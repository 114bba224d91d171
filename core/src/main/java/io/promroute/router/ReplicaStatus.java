package io.promroute.router;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * The health of one replica of a shard, as the filter sees it now.
 *
 * @param shard the shard key
 * @param replica the replica's position in the shard's {@link ShardTarget#baseUrls()}, from 0
 * @param baseUrl the replica's URL (never with credentials: they are not part of URLs)
 * @param inRotation whether requests go to it (it is skipped while it is backed off after failures)
 * @param consecutiveFailures its failures since its last success (requests and probes)
 */
public record ReplicaStatus(
    String shard, int replica, URI baseUrl, boolean inRotation, int consecutiveFailures) {

  /**
   * Checks the status.
   *
   * @param shard the shard key
   * @param replica the replica's position, from 0
   * @param baseUrl the replica's URL
   * @param inRotation whether requests go to it
   * @param consecutiveFailures its failures since its last success
   * @throws NullPointerException if {@code shard} or {@code baseUrl} is null
   */
  public ReplicaStatus {
    requireNonNull(shard, "shard is null");
    requireNonNull(baseUrl, "baseUrl is null");
  }
}
