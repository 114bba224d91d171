package io.promroute.router;

import io.promroute.compat.HopByHopHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers reach a shard: allow-listed client headers, never hop-by-hop ones, plus the
 * target's own.
 */
final class Headers {

  // Hop-by-hop headers, plus those the router sets itself or that would change the body it has
  // to parse (a compressed answer cannot be rewritten).
  private static final Set<String> NEVER_FORWARDED = neverForwarded();

  private Headers() {}

  /**
   * The client's headers named in {@code allowed} (lower case), minus hop-by-hop ones and those
   * named in Connection.
   */
  static Map<String, List<String>> fromClient(ApiRequest request, Set<String> allowed) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    if (allowed.isEmpty()) {
      return headers;
    }
    Set<String> connectionNamed = new HashSet<>();
    for (String value : request.headers("Connection")) {
      for (String token : value.split(",")) {
        connectionNamed.add(token.trim().toLowerCase(Locale.ROOT));
      }
    }
    for (String name : request.headerNames()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (allowed.contains(lower)
          && !NEVER_FORWARDED.contains(lower)
          && !connectionNamed.contains(lower)) {
        headers.computeIfAbsent(lower, unused -> new ArrayList<>()).addAll(request.headers(name));
      }
    }
    return headers;
  }

  /**
   * Adds the target's extra headers and credentials; credentials replace any forwarded
   * Authorization.
   */
  static Map<String, List<String>> forTarget(
      Map<String, List<String>> fromClient, ShardTarget target, boolean formBody) {
    Map<String, List<String>> headers = new LinkedHashMap<>(fromClient);
    target
        .headers()
        .forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), List.of(value)));
    if (target.basicAuthUsername() != null) {
      String password = target.basicAuthPassword() == null ? "" : target.basicAuthPassword();
      String token =
          Base64.getEncoder()
              .encodeToString(
                  (target.basicAuthUsername() + ":" + password).getBytes(StandardCharsets.UTF_8));
      headers.put("authorization", List.of("Basic " + token));
    } else if (target.bearerToken() != null) {
      headers.put("authorization", List.of("Bearer " + target.bearerToken()));
    }
    if (formBody) {
      headers.put("content-type", List.of("application/x-www-form-urlencoded"));
    }
    return headers;
  }

  private static Set<String> neverForwarded() {
    Set<String> names = new HashSet<>(HopByHopHeaders.NAMES);
    names.addAll(Set.of("content-type", "expect", "accept-encoding"));
    return Set.copyOf(names);
  }

  static Set<String> normalize(Set<String> names) {
    Set<String> lower = new HashSet<>();
    names.forEach(name -> lower.add(name.toLowerCase(Locale.ROOT)));
    return Set.copyOf(lower);
  }
}
