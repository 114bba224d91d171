package io.promroute.router;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where a shard's Prometheus is and how to reach it: one server, or several replicas of it (an HA
 * pair scraping the same targets) that share the credentials, headers and TLS settings.
 *
 * @param baseUrls the replicas, in order of preference, at least one: {@code http://host:port} or
 *     with a path prefix ({@code https://host/prom}); API paths are appended to them
 * @param basicAuthUsername basic-auth user, or {@code null}
 * @param basicAuthPassword basic-auth password, or {@code null}
 * @param bearerToken a bearer token, or {@code null} (not together with basic auth)
 * @param headers extra headers sent with every request to this shard
 * @param tls TLS settings for {@code https} URLs
 */
public record ShardTarget(
    List<URI> baseUrls,
    String basicAuthUsername,
    String basicAuthPassword,
    String bearerToken,
    Map<String, String> headers,
    Tls tls) {

  /**
   * TLS settings.
   *
   * @param caFile a PEM file of CA certificates to trust instead of the JDK's, or {@code null}
   * @param insecureSkipVerify trust any certificate and host name (tests only)
   */
  public record Tls(Path caFile, boolean insecureSkipVerify) {
    public static final Tls DEFAULT = new Tls(null, false);
  }

  public ShardTarget {
    baseUrls = List.copyOf(requireNonNull(baseUrls, "baseUrls is null"));
    if (baseUrls.isEmpty()) {
      throw new IllegalArgumentException("a shard needs at least one URL");
    }
    if (baseUrls.size() != baseUrls.stream().distinct().count()) {
      throw new IllegalArgumentException("a replica URL is listed twice: " + baseUrls);
    }
    headers = Map.copyOf(requireNonNull(headers, "headers is null"));
    requireNonNull(tls, "tls is null");
    if (bearerToken != null && basicAuthUsername != null) {
      throw new IllegalArgumentException("a shard takes basic auth or a bearer token, not both");
    }
  }

  /** A single server (no replicas). */
  public ShardTarget(
      URI baseUrl, String basicAuthUsername, String basicAuthPassword, String bearerToken, Map<String, String> headers,
      Tls tls) {
    this(List.of(requireNonNull(baseUrl, "baseUrl is null")), basicAuthUsername, basicAuthPassword, bearerToken, headers,
        tls);
  }

  /** The first replica's URL: the only one of a shard without replicas. */
  public URI baseUrl() {
    return baseUrls.get(0);
  }

  /** The same settings with only replica {@code index}'s URL. */
  public ShardTarget replica(int index) {
    return baseUrls.size() == 1 && index == 0
        ? this
        : new ShardTarget(baseUrls.get(index), basicAuthUsername, basicAuthPassword, bearerToken, headers, tls);
  }

  /** A target with no credentials, extra headers or TLS settings. */
  public static ShardTarget of(URI baseUrl) {
    return new ShardTarget(baseUrl, null, null, null, Map.of(), Tls.DEFAULT);
  }

  /** {@code http://host:port} or a URL with scheme; several for replicas of one shard, in order of preference. */
  public static ShardTarget of(String... hostPortsOrUrls) {
    List<URI> urls = new java.util.ArrayList<>();
    for (String hostPortOrUrl : hostPortsOrUrls) {
      urls.add(URI.create(hostPortOrUrl.contains("://") ? hostPortOrUrl : "http://" + hostPortOrUrl));
    }
    return new ShardTarget(urls, null, null, null, Map.of(), Tls.DEFAULT);
  }

  /**
   * Hides the credentials: a target is printed in logs and assertion messages.
   */
  @Override
  public String toString() {
    return "ShardTarget[baseUrls=" + baseUrls + (basicAuthUsername != null ? ", basic auth " + basicAuthUsername : "")
        + (bearerToken != null ? ", bearer token" : "") + ", headers=" + headers.keySet() + ", tls=" + tls + "]";
  }
}
