package io.promroute.standalone;

import io.promroute.router.ShardTarget;
import io.promroute.router.UpstreamClient;
import io.promroute.router.UpstreamRequest;
import io.promroute.router.UpstreamResponse;
import io.promroute.servlet.RouterConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks a shard's own Prometheus how it is, with the shard's credentials and headers, as the
 * router's requests would: its {@code /-/ready} (for {@code /-/ready?shards=all}) and its build
 * info (for {@code --check-config --probe}). A shard with replicas is probed one replica at a time
 * ({@link ShardTarget#replica}).
 */
final class ShardProbe {

  static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]*)\"");

  private ShardProbe() {}

  /**
   * What a probe found.
   *
   * @param version the shard's Prometheus version, {@code null} when it did not say
   * @param problem why the shard is not ready, {@code null} when it is
   */
  record Result(String shard, URI address, String version, String problem) {
    boolean ready() {
      return problem == null;
    }

    @Override
    public String toString() {
      return "shard "
          + shard
          + " ("
          + address
          + "): "
          + (version == null ? "version unknown" : "Prometheus " + version)
          + ", "
          + (ready() ? "ready" : "NOT READY: " + problem);
    }
  }

  /** Probes every shard, each of its replicas, in parallel; results in configuration order. */
  static List<Result> probeAll(RouterConfig config, UpstreamClient client) {
    List<CompletableFuture<Result>> probes = new ArrayList<>();
    config
        .shards()
        .forEach(
            (key, target) -> {
              for (int i = 0; i < target.baseUrls().size(); i++) {
                probes.add(probe(key, target.replica(i), client));
              }
            });
    List<Result> results = new ArrayList<>();
    probes.forEach(probe -> results.add(probe.join()));
    return results;
  }

  static CompletableFuture<Result> probe(String key, ShardTarget target, UpstreamClient client) {
    CompletableFuture<String> version =
        fetch(key, target, client, "/api/v1/status/buildinfo")
            .thenApply(
                answer -> {
                  Matcher matcher = VERSION.matcher(answer.body());
                  return answer.status() == 200 && matcher.find() ? matcher.group(1) : null;
                })
            .exceptionally(failure -> null);
    CompletableFuture<String> problem =
        fetch(key, target, client, "/-/ready")
            .thenApply(
                answer ->
                    answer.status() == 200 ? null : "/-/ready answered HTTP " + answer.status())
            .exceptionally(ShardProbe::describe);
    return version.thenCombine(
        problem, (found, why) -> new Result(key, target.baseUrl(), found, why));
  }

  /** Whether the shard's {@code /-/ready} answers 200 within {@link #TIMEOUT}. */
  static CompletableFuture<Boolean> ready(String key, ShardTarget target, UpstreamClient client) {
    return fetch(key, target, client, "/-/ready")
        .handle((answer, failure) -> failure == null && answer.status() == 200);
  }

  private record Answer(int status, String body) {}

  private static CompletableFuture<Answer> fetch(
      String key, ShardTarget target, UpstreamClient client, String path) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    target.headers().forEach((name, value) -> headers.put(name, List.of(value)));
    if (target.basicAuthUsername() != null) {
      String credentials = target.basicAuthUsername() + ":" + target.basicAuthPassword();
      headers.put(
          "Authorization",
          List.of(
              "Basic "
                  + Base64.getEncoder()
                      .encodeToString(credentials.getBytes(StandardCharsets.UTF_8))));
    } else if (target.bearerToken() != null) {
      headers.put("Authorization", List.of("Bearer " + target.bearerToken()));
    }
    UpstreamRequest request =
        new UpstreamRequest(
            key, target, "GET", URI.create(target.baseUrl() + path), headers, new byte[0], TIMEOUT);
    try {
      // Async: a body that is not in memory yet is read blocking, never on the thread that
      // completed the answer (Jetty's client completes it on its selector thread, which is the
      // one that would have to deliver the body).
      return client.send(request).thenApplyAsync(ShardProbe::read);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static Answer read(UpstreamResponse response) {
    try (response) {
      return new Answer(
          response.status(),
          new String(response.body().readNBytes(64 * 1024), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CompletionException(e);
    }
  }

  private static String describe(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return "not reachable: "
        + (cause.getMessage() == null
            ? cause.getClass().getSimpleName()
            : cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }
}
