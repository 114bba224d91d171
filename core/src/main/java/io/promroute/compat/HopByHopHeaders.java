package io.promroute.compat;

import java.util.Set;

/**
 * The headers that describe one HTTP hop only (RFC 9110 7.6.1, plus the legacy {@code Keep-Alive},
 * {@code Proxy-Connection} and {@code Trailers}), and those a proxy sets itself for its own hop
 * ({@code Host}, {@code Content-Length}). A proxy never forwards them, and never accepts them as
 * configured extra headers.
 */
public final class HopByHopHeaders {

  /** Lower-case names of the hop-by-hop headers and of those a proxy sets for its own hop. */
  public static final Set<String> NAMES =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "trailers",
          "transfer-encoding",
          "upgrade",
          "host",
          "content-length");

  private HopByHopHeaders() {}

  /**
   * Whether a header never crosses a proxy.
   *
   * @param lowerCaseName the header name in lower case
   * @return whether it is in {@link #NAMES}
   */
  public static boolean contains(String lowerCaseName) {
    return NAMES.contains(lowerCaseName);
  }
}
