package io.promroute.router;

import io.promroute.api.ApiError;
import io.promroute.api.Endpoint;
import io.promroute.api.MalformedAnswerException;
import io.promroute.api.ResponseTransformer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Whether a shard's HTTP answer can be used, before anything of it is merged or relayed: a 2xx with
 * a JSON body (checked whole when it is already in memory, else while it is copied), or a
 * Prometheus error envelope. A redirect, a proxy's HTML page, an encoding nobody asked for, a
 * {@code "status":"error"} in a 200 are errors of that shard, named in the router's answer (never
 * with its address).
 */
final class ShardAnswers {

  private static final int MAX_ERROR_BYTES = 64 * 1024;

  private ShardAnswers() {}

  /**
   * The answer with its body decoded: a gzip body nobody asked for (the router sends no {@code
   * Accept-Encoding}, but a proxy in front of a shard may compress anyway) is inflated, read whole
   * when it was in memory; any other encoding is left for {@link #problem} to refuse.
   */
  static UpstreamResponse decoded(UpstreamResponse upstream) throws IOException {
    String encoding = header(upstream, "content-encoding");
    if (encoding == null || !encoding.trim().equalsIgnoreCase("gzip")) {
      return upstream;
    }
    InputStream body =
        upstream.body() instanceof ByteArrayInputStream whole
            ? new ByteArrayInputStream(new GZIPInputStream(whole).readAllBytes())
            : new LazyGzip(upstream.body());
    return new Decoded(upstream, body);
  }

  /**
   * Why {@code upstream} (already {@link #decoded}) cannot be used as a success answer of {@code
   * endpoint}, as the error to answer; null when it can (a 2xx whose body, if not in memory, is
   * checked as it is copied). A body in memory is read and rewound.
   *
   * @param named whether an error that is the shard's failure (not a 400 or 422, which are the
   *     query's) gets {@code shard "<key>": } before its message (with several shards); a single
   *     shard's errors pass as it gave them
   */
  static ApiError problem(Endpoint endpoint, String shard, UpstreamResponse upstream, boolean named)
      throws IOException {
    return problem(endpoint, shard, upstream, named, Route.EvaluationErrors.AS_ANSWERED);
  }

  /**
   * {@link #problem(Endpoint, String, UpstreamResponse, boolean)}, with a shard's error of the
   * query itself (400 {@code bad_data}, 422 {@code execution}: what one Prometheus holding every
   * shard's series answers too) {@code reworded} as the global view words it and never named: it is
   * not the shard's failure.
   */
  static ApiError problem(
      Endpoint endpoint,
      String shard,
      UpstreamResponse upstream,
      boolean named,
      Route.EvaluationErrors reworded)
      throws IOException {
    int status = upstream.status();
    String name = "shard \"" + shard + "\"";
    if (status / 100 == 3) {
      return new ApiError(
          502,
          "unavailable",
          name + " answered a redirect (HTTP " + status + "), which is not followed");
    }
    if (status / 100 != 2) {
      InputStream in = upstream.body();
      in.mark(
          MAX_ERROR_BYTES); // a body in memory can be judged again (build info's fall-back judges
      // it first)
      byte[] body = in.readNBytes(MAX_ERROR_BYTES);
      if (in instanceof ByteArrayInputStream) {
        in.reset();
      }
      // A 400 is the request's fault, found the same by every shard, a 422 an error of evaluating
      // it that the global view has too: neither is named. Other errors are the shard's failure.
      boolean ofQuery = isQueryError(status);
      ApiError own =
          isJson(upstream)
              ? ApiError.fromShard(status, body, named && !ofQuery ? name + ": " : "")
              : null;
      if (own != null && ofQuery) {
        own = new ApiError(own.status(), own.errorType(), reworded.reword(shard, own.message()));
      }
      return own != null
          ? own
          : new ApiError(
              502,
              "unavailable",
              name + " answered HTTP " + status + " that is not a Prometheus API answer");
    }
    String encoding = header(upstream, "content-encoding");
    if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
      return new ApiError(
          502,
          "unavailable",
          name + " answered with Content-Encoding " + encoding + ", which was not asked for");
    }
    if (!isJson(upstream)) {
      return new ApiError(
          502,
          "unavailable",
          name
              + " answered HTTP "
              + status
              + " with Content-Type "
              + header(upstream, "content-type")
              + ", not JSON");
    }
    if (upstream.body() instanceof ByteArrayInputStream whole) {
      whole.mark(0);
      try {
        ResponseTransformer.check(endpoint, whole);
      } catch (MalformedAnswerException e) {
        return malformed(shard, e.getMessage());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        return malformed(shard, "answered invalid JSON: " + e.getOriginalMessage());
      } finally {
        whole.reset();
      }
    }
    return null;
  }

  /**
   * The answer with a streamed body read into memory when it ends within {@code limit} bytes (then
   * {@link #problem} checks it whole), else with what was read followed by the rest, still
   * streaming. For partial answers: a shard that breaks off mid-answer is then left out with a
   * warning before anything of the merge is written.
   *
   * @throws IOException when reading fails (a {@link ShardBody.ReadException}: the shard's fault)
   */
  static UpstreamResponse buffered(String shard, UpstreamResponse upstream, int limit)
      throws IOException {
    return buffered(shard, upstream, limit, null);
  }

  /**
   * What {@link #buffered(String, UpstreamResponse, int, MemoryBudget.Lease)} reads and reserves at
   * a time.
   */
  private static final int BUFFER_CHUNK_BYTES = 64 << 10;

  /**
   * {@link #buffered(String, UpstreamResponse, int)}, reserving what it buffers from {@code memory}
   * (twice: the chunks read, then the body made of them) as it reads: when the budget has no room
   * for more, what was read is followed by the rest, still streaming, as for a long answer.
   *
   * @param memory the request's share of the router's memory budget; null for none
   */
  static UpstreamResponse buffered(
      String shard,
      UpstreamResponse upstream,
      int limit,
      io.promroute.api.MemoryBudget.Lease memory)
      throws IOException {
    if (upstream.body() instanceof ByteArrayInputStream) {
      return upstream;
    }
    consuming(upstream);
    InputStream body = new ShardBody(shard, upstream.body());
    java.util.List<byte[]> chunks = new java.util.ArrayList<>();
    int total = 0;
    long reserved = 0;
    boolean ended = false;
    while (total <= limit) {
      int size = Math.min(BUFFER_CHUNK_BYTES, limit + 1 - total);
      if (memory != null && !memory.tryReserve(2L * size)) {
        break;
      }
      reserved += 2L * size;
      byte[] chunk;
      try {
        chunk = body.readNBytes(size);
      } catch (ShardBody.ReadException e) {
        // Nothing of it was used yet: the shard's next replica, if it has one, answers instead.
        UpstreamResponse next = nextReplica(upstream, e);
        if (next == null) {
          throw e;
        }
        if (memory != null) {
          memory.release(reserved);
        }
        return buffered(shard, next, limit, memory);
      }
      chunks.add(chunk);
      total += chunk.length;
      if (chunk.length < size) {
        ended = true;
        break;
      }
    }
    byte[] start = new byte[total];
    int at = 0;
    for (byte[] chunk : chunks) {
      System.arraycopy(chunk, 0, start, at, chunk.length);
      at += chunk.length;
    }
    InputStream read = new ByteArrayInputStream(start);
    return new Decoded(
        upstream, ended ? read : new java.io.SequenceInputStream(read, upstream.body()));
  }

  /**
   * Says that the caller reads the whole of {@code upstream}'s body before it writes anything, so
   * that a replica's answer that stalls fails in time for {@link #nextReplica} to ask another.
   */
  static void consuming(UpstreamResponse upstream) {
    ReplicaClient.consuming(unwrapped(upstream));
  }

  /**
   * After reading the body of {@code broken} (a shard's answer, maybe {@link #decoded}) failed,
   * before anything of it was used: the same request's answer from the shard's next replica, {@link
   * #decoded}, waited for (so only on a thread that may block), its body being {@link #consuming
   * consumed} too; closing {@code broken} closes it. It can be an error answer, for {@link
   * #problem} to judge.
   *
   * @return the answer, or {@code null} when the shard has no other replica to ask, or none
   *     answered within the request's deadline
   */
  static UpstreamResponse nextReplica(UpstreamResponse broken, ShardBody.ReadException failure) {
    java.util.concurrent.CompletableFuture<UpstreamResponse> next =
        ReplicaClient.nextReplica(unwrapped(broken), failure);
    if (next == null) {
      return null;
    }
    UpstreamResponse answer;
    try {
      answer = next.join();
    } catch (java.util.concurrent.CompletionException
        | java.util.concurrent.CancellationException e) {
      return null;
    }
    try {
      UpstreamResponse decoded = decoded(answer);
      consuming(decoded);
      return decoded;
    } catch (IOException e) {
      answer.close();
      return null;
    }
  }

  /**
   * Whether {@code upstream} is the answer of a shard with other replicas, which {@link
   * #nextReplica} can ask.
   */
  static boolean hasReplicas(UpstreamResponse upstream) {
    return ReplicaClient.isReplicaAnswer(unwrapped(upstream));
  }

  /**
   * The answer as its client gave it, under what {@link #decoded} and {@link #buffered} wrapped
   * around it.
   */
  private static UpstreamResponse unwrapped(UpstreamResponse upstream) {
    UpstreamResponse response = upstream;
    while (response instanceof Decoded decoded) {
      response = decoded.upstream;
    }
    return response;
  }

  /**
   * The error for a failed read of a shard's answer: a timeout (the deadline, or its shard found
   * silent) or a lost connection.
   */
  static ApiError readFailure(String shard, IOException failure, java.time.Duration timeout) {
    if (failure.getCause() instanceof SilentShards.SilentShardException silent) {
      return silent.error();
    }
    return failure.getCause() instanceof java.net.http.HttpTimeoutException
        ? ApiError.shardTimeout(shard, timeout)
        : ApiError.shardUnreachable(shard, "connection lost while reading its answer");
  }

  /**
   * Whether a shard's error status is the query's fault rather than the shard's: Prometheus's own
   * 400 {@code bad_data} (the request, which every shard finds the same) and 422 {@code execution}
   * (an error of evaluating it, which one Prometheus holding every shard's series raises too).
   * Prometheus answers no other 4xx to the API requests the router sends: a 401, 403 or 429 is a
   * proxy's in front of that shard, a failure of the shard like a 5xx.
   */
  static boolean isQueryError(int status) {
    return status == 400 || status == 422;
  }

  /** The error for a shard's answer found malformed: {@code problem} follows the shard's name. */
  static ApiError malformed(String shard, String problem) {
    return new ApiError(502, "unavailable", "shard \"" + shard + "\" " + problem);
  }

  private static boolean isJson(UpstreamResponse upstream) {
    String type = header(upstream, "content-type");
    // Prometheus always names it; an answer without one is judged by its body alone.
    return type == null || type.toLowerCase(Locale.ROOT).contains("json");
  }

  private static String header(UpstreamResponse upstream, String name) {
    List<String> values = upstream.headers().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** An answer whose body is inflated; its headers no longer name the encoding or the length. */
  private static final class Decoded implements UpstreamResponse {
    private final UpstreamResponse upstream;
    private final InputStream body;
    private final Map<String, List<String>> headers;

    Decoded(UpstreamResponse upstream, InputStream body) {
      this.upstream = upstream;
      this.body = body;
      Map<String, List<String>> copy = new java.util.TreeMap<>(upstream.headers());
      copy.remove("content-encoding");
      copy.remove("content-length");
      this.headers = Map.copyOf(copy);
    }

    @Override
    public int status() {
      return upstream.status();
    }

    @Override
    public Map<String, List<String>> headers() {
      return headers;
    }

    @Override
    public InputStream body() {
      return body;
    }

    @Override
    public void close() {
      upstream.close();
    }
  }

  /**
   * Inflates a streamed body from its first read, so that nothing blocks before the copy starts.
   */
  private static final class LazyGzip extends InputStream {
    private final InputStream compressed;
    private InputStream inflated;

    LazyGzip(InputStream compressed) {
      this.compressed = compressed;
    }

    private InputStream inflated() throws IOException {
      if (inflated == null) {
        inflated = new GZIPInputStream(compressed, 8192);
      }
      return inflated;
    }

    @Override
    public int read() throws IOException {
      return inflated().read();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      return inflated().read(buffer, offset, length);
    }

    @Override
    public void close() throws IOException {
      compressed.close();
    }
  }
}
