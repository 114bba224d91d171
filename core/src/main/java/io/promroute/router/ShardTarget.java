package io.promroute.router;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a shard's Prometheus is and how to reach it.
 *
 * @param baseUrl {@code http://host:port} or with a path prefix ({@code https://host/prom}); API
 *     paths are appended to it
 * @param basicAuthUsername basic-auth user, or {@code null}
 * @param basicAuthPassword basic-auth password, or {@code null}
 * @param bearerToken a bearer token, or {@code null} (not together with basic auth)
 * @param headers extra headers sent with every request to this shard
 * @param tls TLS settings for {@code https} URLs
 */
public record ShardTarget(
    URI baseUrl,
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
    requireNonNull(baseUrl, "baseUrl is null");
    headers = Map.copyOf(requireNonNull(headers, "headers is null"));
    requireNonNull(tls, "tls is null");
    if (bearerToken != null && basicAuthUsername != null) {
      throw new IllegalArgumentException("a shard takes basic auth or a bearer token, not both");
    }
  }

  /** A target with no credentials, extra headers or TLS settings. */
  public static ShardTarget of(URI baseUrl) {
    return new ShardTarget(baseUrl, null, null, null, Map.of(), Tls.DEFAULT);
  }

  /** {@code http://host:port} or a URL with scheme. */
  public static ShardTarget of(String hostPortOrUrl) {
    String url = hostPortOrUrl.contains("://") ? hostPortOrUrl : "http://" + hostPortOrUrl;
    return of(URI.create(url));
  }
}
