package io.promroute.router;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Prometheus version of each shard, read from its {@code /api/v1/status/buildinfo}: asked when
 * the router starts (or reloads, which builds a new one), and asked again, at most every 10
 * seconds, while a shard has not answered (it was down). Never blocks a request: a shard not read
 * yet counts as accepting what the others accept.
 */
public final class ShardVersions {

  private static final System.Logger LOG = System.getLogger(ShardVersions.class.getName());
  private static final long RETRY_NANOS = Duration.ofSeconds(10).toNanos();
  private static final int MAX_BODY = 64 * 1024;
  private static final JsonFactory JSON = new JsonFactory();

  private final Map<String, ShardTarget> targets;
  private final UpstreamClient client;
  private final Duration timeout;
  private final Map<String, String> versions = new ConcurrentHashMap<>();

  /** For shards not read yet: when they were last asked (System.nanoTime). */
  private final Map<String, Long> asked = new ConcurrentHashMap<>();

  /**
   * Versions not read yet: nothing is asked until {@link #refresh()} or {@link
   * #acceptPrometheus2Functions()}.
   *
   * @param targets the shards, by key
   * @param client the client that asks them
   * @param timeout the deadline of each build info request
   * @throws NullPointerException if an argument is null
   */
  public ShardVersions(Map<String, ShardTarget> targets, UpstreamClient client, Duration timeout) {
    this.targets = Map.copyOf(requireNonNull(targets, "targets is null"));
    this.client = requireNonNull(client, "client is null");
    this.timeout = requireNonNull(timeout, "timeout is null");
  }

  /**
   * Asks every shard whose version is not known, unless it was asked in the last 10 seconds;
   * returns at once.
   */
  public void refresh() {
    long now = System.nanoTime();
    for (Map.Entry<String, ShardTarget> shard : targets.entrySet()) {
      String key = shard.getKey();
      if (versions.containsKey(key)) {
        continue;
      }
      Long last = asked.get(key);
      if (last != null && now - last < RETRY_NANOS) {
        continue;
      }
      if (last == null ? asked.putIfAbsent(key, now) != null : !asked.replace(key, last, now)) {
        continue; // another request is asking it
      }
      ask(key, shard.getValue());
    }
  }

  /**
   * The versions read so far.
   *
   * @return a copy, by shard key in alphabetical order: Prometheus's {@code data.version}, e.g.
   *     {@code 2.42.0}
   */
  public Map<String, String> versions() {
    return new TreeMap<>(versions);
  }

  /**
   * Whether Prometheus 2's functions ({@code holt_winters}) are accepted: no shard read so far runs
   * Prometheus 3 or later. Asks the shards not read yet again (in the background).
   *
   * @return {@code true} while no shard known to run Prometheus 3 or later has been read
   */
  public boolean acceptPrometheus2Functions() {
    if (versions.size() < targets.size()) {
      refresh();
    }
    for (String version : versions.values()) {
      if (major(version) >= 3) {
        return false;
      }
    }
    return true;
  }

  private void ask(String key, ShardTarget target) {
    String base = target.baseUrl().toString();
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    UpstreamRequest request =
        new UpstreamRequest(
            key,
            target,
            "GET",
            URI.create(base + "/api/v1/status/buildinfo"),
            Headers.forTarget(Map.of(), target, false),
            new byte[0],
            timeout);
    try {
      client
          .send(request)
          .whenCompleteAsync(
              (response, failure) -> {
                if (failure != null) {
                  LOG.log(
                      System.Logger.Level.DEBUG,
                      "shard {0}: build info not read: {1}",
                      key,
                      failure.toString());
                  return;
                }
                try (response) {
                  String version = response.status() == 200 ? version(response.body()) : null;
                  if (version != null) {
                    versions.put(key, version);
                    asked.remove(key);
                  }
                } catch (IOException | RuntimeException e) {
                  LOG.log(
                      System.Logger.Level.DEBUG,
                      "shard {0}: build info not read: {1}",
                      key,
                      e.toString());
                }
              });
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "shard {0}: build info not asked: {1}", key, e.toString());
    }
  }

  /** {@code data.version} of a build info answer, or null. */
  static String version(InputStream body) throws IOException {
    byte[] bytes = body.readNBytes(MAX_BODY);
    try (JsonParser parser = JSON.createParser(bytes)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("data") && value == JsonToken.START_OBJECT) {
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken inner = parser.nextToken();
            if (name.equals("version") && inner == JsonToken.VALUE_STRING) {
              return parser.getText();
            }
            parser.skipChildren();
          }
          return null;
        }
        parser.skipChildren();
      }
      return null;
    }
  }

  /** The major version of {@code 2.42.0+ds}: 2; 0 if it does not start with a number. */
  /**
   * Whether every shard read so far (at least one) runs a Prometheus older than 2.44, which
   * answered a {@code query_range} that does not parse with the parser's error alone (2.44 put
   * {@code invalid parameter "query": } before it, as {@code query} always had). Never blocks.
   *
   * @return {@code true} if so
   */
  public boolean bareRangeQueryParseErrors() {
    if (versions.isEmpty()) {
      return false;
    }
    for (String version : versions.values()) {
      int major = major(version);
      if (major != 2 || minor(version) >= 44) {
        return false;
      }
    }
    return true;
  }

  /** The number after the first dot of {@code 2.42.0+ds}, or 0. */
  static int minor(String version) {
    int dot = version.indexOf('.');
    return dot < 0 ? 0 : major(version.substring(dot + 1));
  }

  static int major(String version) {
    int end = 0;
    while (end < version.length() && end < 9 && Character.isDigit(version.charAt(end))) {
      end++;
    }
    return end == 0 ? 0 : Integer.parseInt(version.substring(0, end));
  }
}
