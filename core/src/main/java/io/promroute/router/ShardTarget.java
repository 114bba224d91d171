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
    /** The JDK's trusted CAs, certificates and host names verified. */
    public static final Tls DEFAULT = new Tls(null, false);
  }

  /**
   * Checks the target and copies the lists.
   *
   * @param baseUrls the replicas, in order of preference, at least one
   * @param basicAuthUsername basic-auth user, or {@code null}
   * @param basicAuthPassword basic-auth password, or {@code null}
   * @param bearerToken a bearer token, or {@code null}
   * @param headers extra headers sent with every request to this shard
   * @param tls TLS settings
   * @throws NullPointerException if {@code baseUrls}, {@code headers} or {@code tls} is null
   * @throws IllegalArgumentException if there is no URL, a URL is listed twice, or both basic auth
   *     and a bearer token are given
   */
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

  /**
   * A single server (no replicas).
   *
   * @param baseUrl the server's URL, with any path prefix
   * @param basicAuthUsername basic auth user, or {@code null}
   * @param basicAuthPassword basic auth password, or {@code null}
   * @param bearerToken bearer token, or {@code null} (not with basic auth)
   * @param headers extra headers sent to the server
   * @param tls the TLS settings
   * @throws IllegalArgumentException if both basic auth and a bearer token are given
   */
  public ShardTarget(
      URI baseUrl,
      String basicAuthUsername,
      String basicAuthPassword,
      String bearerToken,
      Map<String, String> headers,
      Tls tls) {
    this(
        List.of(requireNonNull(baseUrl, "baseUrl is null")),
        basicAuthUsername,
        basicAuthPassword,
        bearerToken,
        headers,
        tls);
  }

  /**
   * The first replica's URL: the only one of a shard without replicas.
   *
   * @return the first URL
   */
  public URI baseUrl() {
    return baseUrls.get(0);
  }

  /**
   * The same settings with only replica {@code index}'s URL.
   *
   * @param index the replica, from 0 in configuration order
   * @return a target for that replica alone
   * @throws IndexOutOfBoundsException if there is no such replica
   */
  public ShardTarget replica(int index) {
    return baseUrls.size() == 1 && index == 0
        ? this
        : new ShardTarget(
            baseUrls.get(index), basicAuthUsername, basicAuthPassword, bearerToken, headers, tls);
  }

  /**
   * A target with no credentials, extra headers or TLS settings.
   *
   * @param baseUrl the server's URL
   * @return the target
   */
  public static ShardTarget of(URI baseUrl) {
    return new ShardTarget(baseUrl, null, null, null, Map.of(), Tls.DEFAULT);
  }

  /**
   * A target from {@code host:port} ({@code http} is assumed) or URLs with a scheme; several for
   * replicas of one shard, in order of preference.
   *
   * @param hostPortsOrUrls one or more addresses
   * @return the target
   * @throws IllegalArgumentException if none is given, one is listed twice, or one is not a URI
   */
  public static ShardTarget of(String... hostPortsOrUrls) {
    List<URI> urls = new java.util.ArrayList<>();
    for (String hostPortOrUrl : hostPortsOrUrls) {
      urls.add(
          URI.create(hostPortOrUrl.contains("://") ? hostPortOrUrl : "http://" + hostPortOrUrl));
    }
    return new ShardTarget(urls, null, null, null, Map.of(), Tls.DEFAULT);
  }

  /** Hides the credentials: a target is printed in logs and assertion messages. */
  @Override
  public String toString() {
    return "ShardTarget[baseUrls="
        + baseUrls
        + (basicAuthUsername != null ? ", basic auth " + basicAuthUsername : "")
        + (bearerToken != null ? ", bearer token" : "")
        + ", headers="
        + headers.keySet()
        + ", tls="
        + tls
        + "]";
  }
}
