package io.promroute.api;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;

/**
 * One shard's successful answer (HTTP 2xx), whose body is still streaming, for {@link
 * ResponseTransformer#merge}.
 *
 * @param shard the shard key: the value the shard label gets on this answer's series
 * @param body the JSON body, read once
 * @param addShardLabel whether this answer's series get {@code <label>="<shard>"}
 */
public record ShardAnswer(String shard, InputStream body, boolean addShardLabel) {
  public ShardAnswer {
    requireNonNull(shard, "shard is null");
    requireNonNull(body, "body is null");
  }
}
