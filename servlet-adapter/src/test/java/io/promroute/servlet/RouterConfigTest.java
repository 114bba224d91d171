package io.promroute.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.promroute.promql.ParserOptions;
import io.promroute.router.ReplicaPolicy;
import io.promroute.router.ShardTarget;
import io.promroute.shard.MissingShardMatcherPolicy;
import io.promroute.shard.ShardLabelMode;
import io.promroute.shard.UnknownShardPolicy;
import io.promroute.shard.UnlabeledSelectorPolicy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RouterConfigTest {

  /** prome-route's own example file, comments and blank lines included. */
  private static final String PROME_ROUTE_YML =
      """
      replace_label_name: cluster # the label that tells shards apart
                                  # e.g. node_memory_MemFree_bytes{cluster="a"}
      prome_servers:

        a: 1.1.1.1:9090 # each shard's value and address
        b: 2.2.2.2:9090


      http:
        listen_addr:   :9097
      """;

  @Test
  void readsPromeRouteConfigUnchanged() {
    RouterConfig config = RouterConfig.parse(PROME_ROUTE_YML, "prome-route.yml");

    assertThat(config.shardLabel()).isEqualTo("cluster");
    assertThat(config.shardKeys()).containsExactly("a", "b");
    assertThat(config.shards().get("a"))
        .isEqualTo(ShardTarget.of(URI.create("http://1.1.1.1:9090")));
    assertThat(config.shards().get("b").baseUrl()).isEqualTo(URI.create("http://2.2.2.2:9090"));
    assertThat(config.listenAddress()).isEqualTo(":9097");
    assertThat(config.source()).isEqualTo("prome-route.yml");
  }

  @Test
  void appliesDefaultsToEverythingNotGiven() {
    RouterConfig config = RouterConfig.parse("prome_servers: {a: 'localhost:9090'}", "t");

    assertThat(config.shardLabel()).isEqualTo("cluster");
    assertThat(config.listenAddress()).isEqualTo(":9097");
    assertThat(config.pathPrefix()).isEmpty();
    assertThat(config.missingShardMatcher()).isEqualTo(MissingShardMatcherPolicy.ALL_SHARDS);
    assertThat(config.defaultShard()).isNull();
    assertThat(config.unlabeledSelectors()).isEqualTo(UnlabeledSelectorPolicy.GLOBAL_VIEW);
    assertThat(config.unknownShard()).isEqualTo(UnknownShardPolicy.EMPTY_RESULT);
    assertThat(config.mode()).isEqualTo(ShardLabelMode.STRIP);
    assertThat(config.parserOptions()).isEqualTo(ParserOptions.defaults());
    assertThat(config.promqlDialect()).isEqualTo(io.promroute.router.PromqlDialect.AUTO);
    assertThat(config.upstreamTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.partialResponse()).isTrue();
    assertThat(config.silenceProbe()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.exactCrossShardAggregation()).isFalse();
    assertThat(config.replicaPolicy()).isEqualTo(ReplicaPolicy.DEFAULT);
    assertThat(config.forwardedHeaders()).isEmpty();
    assertThat(config.maxRequestBodyBytes()).isEqualTo(1 << 20);
    assertThat(config.maxSamples()).isEqualTo(50_000_000L);
    assertThat(config.maxSeries()).isEqualTo(1_000_000);
    assertThat(config.maxMemoryBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 2);
    assertThat(
            RouterConfig.parse("prome_servers: {a: 'h:1'}\nlimits:\n  max_memory: 25%", "t")
                .maxMemoryBytes())
        .isEqualTo(Runtime.getRuntime().maxMemory() / 4);
    assertThat(
            RouterConfig.parse("prome_servers: {a: 'h:1'}\nlimits:\n  max_memory: 1_000_000", "t")
                .maxMemoryBytes())
        .isEqualTo(1_000_000);
  }

  @Test
  void aShardMayListReplicasInPromeServersOrAsUrlsOfItsDetails() {
    RouterConfig config =
        RouterConfig.parse(
            """
        prome_servers:
          a: [10.0.0.1:9090, 10.0.0.2:9090]
          b: 10.0.0.3:9090
        shards:
          c:
            url: [http://10.0.0.4:9090/prom/, 'https://10.0.0.5/prom']
            bearer_token: t
        upstream:
          replicas: {first_byte_timeout: 5s, backoff: 30s, probe_interval: 2s}
        """,
            "t");

    assertThat(config.shards().get("a").baseUrls())
        .containsExactly(URI.create("http://10.0.0.1:9090"), URI.create("http://10.0.0.2:9090"));
    assertThat(config.shards().get("b")).isEqualTo(ShardTarget.of("10.0.0.3:9090"));
    ShardTarget c = config.shards().get("c");
    assertThat(c.baseUrls())
        .containsExactly(
            URI.create("http://10.0.0.4:9090/prom"), URI.create("https://10.0.0.5/prom"));
    assertThat(c.bearerToken()).isEqualTo("t");
    assertThat(c.replica(1))
        .isEqualTo(
            new ShardTarget(
                URI.create("https://10.0.0.5/prom"),
                null,
                null,
                "t",
                Map.of(),
                ShardTarget.Tls.DEFAULT));
    assertThat(config.replicaPolicy())
        .isEqualTo(
            new ReplicaPolicy(
                Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(2)));
  }

  @Test
  void aTargetIsPrintedWithoutItsCredentials() {
    ShardTarget target =
        new ShardTarget(
            URI.create("http://h:1"),
            "grafana",
            "s3cret",
            null,
            Map.of("X-Token", "t0ken"),
            ShardTarget.Tls.DEFAULT);
    assertThat(target.toString())
        .contains("http://h:1", "grafana")
        .doesNotContain("s3cret", "t0ken");
  }

  @Test
  void readsEveryExtension(@TempDir Path directory) throws IOException {
    Files.writeString(directory.resolve("b.password"), "s3cret\n");
    Files.writeString(directory.resolve("c.token"), "tok-c\n");
    Files.writeString(directory.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    Path file = directory.resolve("router.yml");
    Files.writeString(
        file,
        """
        replace_label_name: region
        prome_servers:
          a: 127.0.0.1:9191
        shards:
          a:
            headers: {X-Scope-OrgID: team-a}
          b:
            url: https://prom-b.example:443/prometheus/
            basic_auth: {username: grafana, password_file: b.password}
            tls: {ca_file: ca.pem}
          c:
            url: http://127.0.0.1:9193
            bearer_token_file: c.token
            tls: {insecure_skip_verify: true}
        http:
          listen_addr: 127.0.0.1:9097
          path_prefix: /prometheus/
        routing:
          missing_shard_matcher: default_shard
          default_shard: b
          unlabeled_selectors: reject
          unknown_shard: reject
          shard_label: keep
        cross_shard:
          aggregation: exact
        promql:
          experimental_functions: true
          duration_expressions: false
          extended_range_selectors: true
          binop_fill_modifiers: true
          prometheus2_functions: true
          max_nesting_depth: 50
        upstream:
          timeout: 1m30s
          forward_headers: [X-Grafana-User, X-Dashboard-Uid]
          partial_response: false
          silence_probe: 1500ms
        limits:
          max_query_length: 4096
          max_request_body_bytes: 65536
          max_samples: 1000
          max_series: 10
          max_memory: 256MB
        """);

    RouterConfig config = RouterConfig.load(file);

    assertThat(config.shardLabel()).isEqualTo("region");
    assertThat(config.shardKeys()).containsExactly("a", "b", "c");
    assertThat(config.shards().get("a"))
        .isEqualTo(
            new ShardTarget(
                URI.create("http://127.0.0.1:9191"),
                null,
                null,
                null,
                Map.of("X-Scope-OrgID", "team-a"),
                ShardTarget.Tls.DEFAULT));
    assertThat(config.shards().get("b"))
        .isEqualTo(
            new ShardTarget(
                URI.create("https://prom-b.example:443/prometheus"),
                "grafana",
                "s3cret",
                null,
                Map.of(),
                new ShardTarget.Tls(directory.resolve("ca.pem"), false)));
    assertThat(config.shards().get("c"))
        .isEqualTo(
            new ShardTarget(
                URI.create("http://127.0.0.1:9193"),
                null,
                null,
                "tok-c",
                Map.of(),
                new ShardTarget.Tls(null, true)));
    assertThat(config.listenAddress()).isEqualTo("127.0.0.1:9097");
    assertThat(config.pathPrefix()).isEqualTo("/prometheus");
    assertThat(config.missingShardMatcher()).isEqualTo(MissingShardMatcherPolicy.DEFAULT_SHARD);
    assertThat(config.defaultShard()).isEqualTo("b");
    assertThat(config.unlabeledSelectors()).isEqualTo(UnlabeledSelectorPolicy.REJECT);
    assertThat(config.unknownShard()).isEqualTo(UnknownShardPolicy.REJECT);
    assertThat(config.mode()).isEqualTo(ShardLabelMode.KEEP);
    assertThat(config.parserOptions())
        .isEqualTo(new ParserOptions(true, false, true, true, true, 4096, 50));
    // An explicit prometheus2_functions pins the dialect.
    assertThat(config.promqlDialect()).isEqualTo(io.promroute.router.PromqlDialect.PROMETHEUS_2);
    assertThat(
            RouterConfig.parse("prome_servers: {a: 'h:1'}\npromql:\n  dialect: prometheus3", "t")
                .promqlDialect())
        .isEqualTo(io.promroute.router.PromqlDialect.PROMETHEUS_3);
    assertThat(
            RouterConfig.parse(
                    "prome_servers: {a: 'h:1'}\npromql:\n  prometheus2_functions: false", "t")
                .promqlDialect())
        .isEqualTo(io.promroute.router.PromqlDialect.PROMETHEUS_3);
    assertThat(config.upstreamTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.partialResponse()).isFalse();
    assertThat(config.silenceProbe()).isEqualTo(Duration.ofMillis(1500));
    assertThat(
            RouterConfig.parse("prome_servers: {a: 'h:1'}\nupstream:\n  silence_probe: 0s", "t")
                .silenceProbe())
        .as("0s: never probe")
        .isZero();
    assertThat(config.exactCrossShardAggregation()).isTrue();
    assertThat(config.forwardedHeaders()).isEqualTo(Set.of("x-grafana-user", "x-dashboard-uid"));
    assertThat(config.maxRequestBodyBytes()).isEqualTo(65536);
    assertThat(config.maxSamples()).isEqualTo(1000);
    assertThat(config.maxSeries()).isEqualTo(10);
    assertThat(config.maxMemoryBytes()).isEqualTo(256L << 20);
    assertThat(config.source()).isEqualTo(file.toString());
  }

  @Test
  void namingADefaultShardImpliesTheDefaultShardPolicy() {
    RouterConfig config =
        RouterConfig.parse(
            """
        prome_servers: {a: 'h:1', b: 'h:2'}
        routing: {default_shard: b}
        """,
            "t");

    assertThat(config.missingShardMatcher()).isEqualTo(MissingShardMatcherPolicy.DEFAULT_SHARD);
    assertThat(config.defaultShard()).isEqualTo("b");
  }

  @Test
  void inlineSecretsAreReadAsGiven() {
    RouterConfig config =
        RouterConfig.parse(
            """
        shards:
          a: {url: 'http://h:1', basic_auth: {username: u, password: p}}
          b: {url: 'http://h:2', bearer_token: t}
        """,
            "t");

    assertThat(config.shards().get("a").basicAuthUsername()).isEqualTo("u");
    assertThat(config.shards().get("a").basicAuthPassword()).isEqualTo("p");
    assertThat(config.shards().get("b").bearerToken()).isEqualTo("t");
  }

  @Test
  void emptySectionsReadAsDefaults() {
    RouterConfig config =
        RouterConfig.parse(
            """
        prome_servers:
          a: h:1
        http:
        routing:
        upstream:
          forward_headers:
        """,
            "t");

    assertThat(config.listenAddress()).isEqualTo(":9097");
    assertThat(config.missingShardMatcher()).isEqualTo(MissingShardMatcherPolicy.ALL_SHARDS);
    assertThat(config.forwardedHeaders()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      30s    | PT30S
      2m     | PT2M
      1h30m  | PT1H30M
      500ms  | PT0.5S
      1d     | PT24H
      """)
  void readsPrometheusDurations(String text, Duration expected) {
    assertThat(RouterConfigReader.parseDuration(text)).isEqualTo(expected);
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        arguments(
            "prome_servers: {a: 'h:1'}\nhttp:\n  listen: ':1'",
            "t:3: http.listen: unknown key (known here: listen_addr, path_prefix)"),
        arguments(
            "prome_servers: {a: 'h:1'}\nroute:\n  x: 1",
            "t:2: route: unknown key (known here: replace_label_name, prome_servers, shards, http, routing, cross_shard, promql, upstream, limits)"),
        arguments(
            "prome_servers: {a: 'h:1'}\ncross_shard:\n  aggregation: fast",
            "t:3: cross_shard.aggregation: \"fast\" is not one of exact, partials"),
        arguments(
            "prome_servers: {a: 'h:1'}\nrouting:\n  missing_shard_matcher: sometimes",
            "t:3: routing.missing_shard_matcher: \"sometimes\" is not one of all_shards, default_shard, reject"),
        arguments(
            "prome_servers: {a: 'h:1'}\nrouting:\n  unknown_shard: ignore",
            "t:3: routing.unknown_shard: \"ignore\" is not one of empty, reject"),
        arguments(
            "prome_servers: {a: 'h:1'}\nrouting:\n  shard_label: drop",
            "t:3: routing.shard_label: \"drop\" is not one of keep, strip"),
        arguments(
            "prome_servers: {a: 'h:1'}\nrouting:\n  unlabeled_selectors: all",
            "t:3: routing.unlabeled_selectors: \"all\" is not one of global, inherit, reject"),
        arguments(
            "prome_servers: {a: 'h:1'}\nrouting:\n  default_shard: z",
            "t:3: routing.default_shard: \"z\" is not a configured shard (shards: a)"),
        arguments(
            "prome_servers: {a: 'h:1'}\nrouting:\n  missing_shard_matcher: default_shard",
            "t:3: routing.missing_shard_matcher: default_shard needs routing.default_shard naming one of: a"),
        arguments(
            "prome_servers: {a: 'h:1'}\nrouting:\n  missing_shard_matcher: reject\n  default_shard: a",
            "t:4: routing.default_shard: only used with missing_shard_matcher: default_shard, but missing_shard_matcher is reject"),
        arguments(
            "replace_label_name: 1cluster\nprome_servers: {a: 'h:1'}",
            "t:1: replace_label_name: \"1cluster\" is not a label name (letters, digits and _, not starting with a digit or __)"),
        arguments(
            "prome_servers: {a: 'h:1'}\nhttp: {listen_addr: '9097'}",
            "t:2: http.listen_addr: \"9097\" is not host:port or :port (e.g. \":9097\", \"127.0.0.1:9097\")"),
        arguments(
            "prome_servers: {a: 'h:1'}\nhttp: {listen_addr: ':99999'}",
            "t:2: http.listen_addr: \":99999\" is not host:port or :port (e.g. \":9097\", \"127.0.0.1:9097\")"),
        arguments(
            "prome_servers: {a: 'h:1'}\nhttp: {path_prefix: prometheus}",
            "t:2: http.path_prefix: \"prometheus\" must be a path starting with / (e.g. \"/prometheus\")"),
        arguments(
            "prome_servers:\n  a: 'ftp://h:1'",
            "t:2: prome_servers.a: \"ftp://h:1\": only http and https URLs are supported"),
        arguments(
            "prome_servers:\n  a: 'http://u:p@h:1'",
            "t:2: prome_servers.a: put credentials in basic_auth, not in the URL"),
        arguments(
            "prome_servers:\n  a: 'http://h:1/?x=1'",
            "t:2: prome_servers.a: \"http://h:1/?x=1\": a shard URL takes no query or fragment"),
        arguments(
            "prome_servers:\n  a:",
            "t:2: prome_servers.a: no address (expected host:port or a URL)"),
        arguments(
            "prome_servers:\n  a: {url: 'h:1'}",
            "t:2: prome_servers.a: expected host:port or a URL, found a map"),
        arguments("prome_servers: [a, b]", "t:1: prome_servers: expected a map, found a list"),
        arguments(
            "http: {listen_addr: ':1'}",
            "t:1: prome_servers: no shard configured: list each shard key and its address, e.g.\nprome_servers:\n  a: 127.0.0.1:9090"),
        arguments(
            "shards:\n  a:\n    bearer_token: t",
            "t:2: shards.a: no address: add url: http://host:port (or list it under prome_servers)"),
        arguments(
            "prome_servers: {a: 'h:1'}\nshards:\n  a:\n    url: 'h:2'",
            "t:4: shards.a.url: shard \"a\" already has its address in prome_servers (line 1)"),
        arguments(
            "shards:\n  a:\n    url: 'h:1'\n    tls: {verify: false}",
            "t:4: shards.a.tls.verify: unknown key (known here: ca_file, insecure_skip_verify)"),
        arguments(
            "shards:\n  a:\n    url: 'h:1'\n    tls: {insecure_skip_verify: yes please}",
            "t:4: shards.a.tls.insecure_skip_verify: \"yes please\" is not true or false"),
        arguments(
            "shards:\n  a:\n    url: 'h:1'\n    basic_auth: {username: u}",
            "t:4: shards.a.basic_auth: give password or password_file"),
        arguments(
            "shards:\n  a:\n    url: 'h:1'\n    basic_auth: {password: p}",
            "t:4: shards.a.basic_auth.username: missing"),
        arguments(
            "shards:\n  a:\n    url: 'h:1'\n    bearer_token: t\n    bearer_token_file: f",
            "t:5: shards.a.bearer_token_file: give bearer_token or bearer_token_file, not both"),
        arguments(
            "shards:\n  a:\n    url: 'h:1'\n    basic_auth: {username: u, password: p}\n    bearer_token: t",
            "t:5: shards.a.bearer_token: a shard takes basic_auth or a bearer token, not both"),
        arguments(
            "shards:\n  a:\n    url: 'h:1'\n    bearer_token_file: /nonexistent/token",
            "t:4: shards.a.bearer_token_file: cannot read /nonexistent/token (NoSuchFileException)"),
        arguments(
            "shards:\n  a:\n    url: 'h:1'\n    tls: {ca_file: /nonexistent/ca.pem}",
            "t:4: shards.a.tls.ca_file: cannot read /nonexistent/ca.pem"),
        arguments(
            "shards:\n  a:\n    url: 'h:1'\n    headers:\n      Host: x",
            "t:5: shards.a.headers.Host: a hop-by-hop or framing header cannot be set"),
        arguments(
            "shards:\n  a:\n    url: 'h:1'\n    bearer_token: t\n    headers:\n      Authorization: x",
            "t:6: shards.a.headers.Authorization: the shard already has basic_auth or a bearer token"),
        arguments(
            "prome_servers:\n  a: 127.0.0.1:99999",
            "t:2: prome_servers.a: \"127.0.0.1:99999\": port 99999 is not between 1 and 65535"),
        arguments(
            "prome_servers:\n  a: prom-a.example",
            "t:2: prome_servers.a: \"prom-a.example\" has no port (expected host:port, or a URL such as http://prom-a.example to mean port 80)"),
        arguments(
            "prome_servers:\n  a: prom_a:9090",
            "t:2: prome_servers.a: \"prom_a:9090\": not a valid host and port: Illegal character in hostname"),
        arguments(
            "shards:\n  a:\n    url: 'https://h:1'\n    tls: {ca_file: /etc/hostname, insecure_skip_verify: true}",
            "t:4: shards.a.tls.insecure_skip_verify: true trusts every certificate, so ca_file would be ignored: give one of the two"),
        arguments(
            "prome_servers: {a: 'h:1'}\nupstream:\n  timeout: 2 minutes",
            "t:3: upstream.timeout: \"2 minutes\" is not a positive duration (e.g. 30s, 2m, 1h30m, 500ms)"),
        arguments(
            "prome_servers: {a: 'h:1'}\nupstream:\n  timeout: 0s",
            "t:3: upstream.timeout: \"0s\" is not a positive duration (e.g. 30s, 2m, 1h30m, 500ms)"),
        arguments(
            "prome_servers: {a: 'h:1'}\nupstream:\n  silence_probe: soon",
            "t:3: upstream.silence_probe: \"soon\" is not a duration up to 24h (e.g. 5s, 500ms; 0s for never)"),
        arguments(
            "prome_servers: {a: 'h:1'}\nupstream:\n  forward_headers: X-User",
            "t:3: upstream.forward_headers: expected a list, found a value"),
        arguments(
            "prome_servers: {a: 'h:1'}\nupstream:\n  forward_headers: [X-User, 'bad header']",
            "t:3: upstream.forward_headers: \"bad header\" is not a header name"),
        arguments(
            "prome_servers: {a: 'h:1'}\nupstream:\n  forward_headers:\n    - Connection",
            "t:4: upstream.forward_headers: \"Connection\" is a hop-by-hop or framing header and is never forwarded"),
        arguments(
            "prome_servers: {a: 'h:1'}\nlimits:\n  max_query_length: -1",
            "t:3: limits.max_query_length: \"-1\" is not a positive whole number (at most 2147483647)"),
        arguments(
            "prome_servers: {a: 'h:1'}\nlimits:\n  max_request_body_bytes: 1MB",
            "t:3: limits.max_request_body_bytes: \"1MB\" is not a positive whole number (at most 2147483647)"),
        arguments(
            "prome_servers: {a: 'h:1'}\nlimits:\n  max_memory: 120%",
            "t:3: limits.max_memory: \"120%\" is not a positive size (bytes, e.g. 268435456 or 256MB, or a share of the heap, e.g. 50%)"),
        arguments(
            "prome_servers: {a: 'h:1'}\nlimits:\n  max_memory: 1.5GB",
            "t:3: limits.max_memory: \"1.5GB\" is not a positive size (bytes, e.g. 268435456 or 256MB, or a share of the heap, e.g. 50%)"),
        arguments(
            "prome_servers: {a: 'h:1'}\npromql:\n  experimental_functions: maybe",
            "t:3: promql.experimental_functions: \"maybe\" is not true or false"),
        arguments(
            "prome_servers: {a: 'h:1'}\npromql:\n  holt_winters: true",
            "t:3: promql.holt_winters: unknown key (known here: experimental_functions, duration_expressions, extended_range_selectors, binop_fill_modifiers, prometheus2_functions, dialect, max_nesting_depth)"),
        arguments(
            "prome_servers:\n  a: ['h:1', 'http://h:1/']",
            "t:2: prome_servers.a: \"http://h:1/\" is listed twice"),
        arguments(
            "prome_servers:\n  a: []",
            "t:2: prome_servers.a: no address (expected host:port or a URL)"),
        arguments(
            "prome_servers:\n  a: ['h:1', {url: 'h:2'}]",
            "t:2: prome_servers.a: expected host:port or a URL, found a map"),
        arguments(
            "shards:\n  a:\n    url: ['h:1', 'ftp://h:2']",
            "t:3: shards.a.url: \"ftp://h:2\": only http and https URLs are supported"),
        arguments(
            "prome_servers: {a: 'h:1'}\nupstream:\n  replicas: {backoff: 0s}",
            "t:3: upstream.replicas.backoff: \"0s\" is not a positive duration (e.g. 30s, 2m, 1h30m, 500ms)"),
        arguments(
            "prome_servers: {a: 'h:1'}\nupstream:\n  replicas: {backoff: 2d}",
            "t:3: upstream.replicas: replica timeouts, back-off and probe interval are at most 24h: PT48H"),
        arguments(
            "prome_servers: {a: 'h:1'}\nupstream:\n  replicas: {dedup: true}",
            "t:3: upstream.replicas.dedup: unknown key (known here: first_byte_timeout, backoff, probe_interval)"),
        arguments(
            "prome_servers: {a: 'h:1'}\nprome_servers: {b: 'h:2'}",
            "t:2: key \"prome_servers\" given twice (first at line 1)"),
        arguments(
            "- a\n- b",
            "t:1: the configuration must be a map of keys (replace_label_name, prome_servers, http, ...), found a list"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badConfigs")
  void refusesABadConfigNamingTheKeyAndLine(String yaml, String message) {
    assertThatThrownBy(() -> RouterConfig.parse(yaml, "t"))
        .isInstanceOf(RouterConfigException.class)
        .hasMessage(message);
  }

  @Test
  void malformedYamlIsRefusedWithItsLine() {
    assertThatThrownBy(() -> RouterConfig.parse("prome_servers:\n  a: 'h:1'\n b: [", "bad.yml"))
        .isInstanceOf(RouterConfigException.class)
        .hasMessageStartingWith("bad.yml:3: not valid YAML: ");
  }

  @Test
  void aYamlErrorNamesTheLineOfTheProblemNotOfTheConstructAround() {
    assertThatThrownBy(() -> RouterConfig.parse("prome_servers:\n\ta: h:1\n", "tab.yml"))
        .hasMessage(
            "tab.yml:2: not valid YAML: while scanning for the next token: found character '\\t(TAB)' "
                + "that cannot start any token. (Do not use \\t(TAB) for indentation)");
    assertThatThrownBy(() -> RouterConfig.parse("prome_servers: {a: 'h:1'\nhttp: x\n", "flow.yml"))
        .hasMessage(
            "flow.yml:2: not valid YAML: while parsing a flow mapping: expected ',' or '}', but got <scalar>");
  }

  @Test
  void aBarePortIsNotAnAddress() {
    assertThatThrownBy(() -> RouterConfig.parse("prome_servers:\n  a: 9090\n", "t"))
        .hasMessage(
            "t:2: prome_servers.a: \"9090\" has no host (expected host:port or http://host:port)");
  }

  @Test
  void aMissingFileIsRefusedNamingIt(@TempDir Path directory) {
    Path missing = directory.resolve("nope.yml");

    assertThatThrownBy(() -> RouterConfig.load(missing))
        .isInstanceOf(RouterConfigException.class)
        .hasMessageStartingWith(missing + ": cannot read the configuration: ");
  }

  @Test
  void anEmptyFileHasNoShards() {
    assertThatThrownBy(() -> RouterConfig.parse("", "empty.yml"))
        .isInstanceOf(RouterConfigException.class)
        .hasMessageStartingWith("empty.yml:1: prome_servers: no shard configured");
  }

  @Test
  void theErrorOfAnUnknownKeyComesBeforeTheErrorsOfItsSiblings() {
    // A typo in a key must be reported as the typo, not as the missing value it leaves behind.
    assertThatThrownBy(() -> RouterConfig.parse("prome_server:\n  a: 'h:1'", "t"))
        .hasMessageStartingWith("t:1: prome_server: unknown key");
  }

  @Test
  void everyProblemOfAFileIsReportedAtOnceInLineOrder(@TempDir Path directory) throws IOException {
    Files.writeString(directory.resolve("empty.token"), "\n");
    Path file = directory.resolve("router.yml");
    Files.writeString(
        file,
        """
        prome_servers:
          a: 127.0.0.1:99999
          b: prom-b
          c: 127.0.0.1:9093
        shards:
          c:
            bearer_token_file: empty.token
            basic_auth: {username: u, password: p}
          d:
            url: http://127.0.0.1:9094
            tls: {ca_file: missing-ca.pem}
        http:
          listen_addr: ':70000'
          listen_adress: ':9097'
        routing:
          missing_shard_matcher: default_shard
          default_shard: a
          unknown_shard: maybe
        upstream:
          timeout: soon
        """);

    assertThatThrownBy(() -> RouterConfig.load(file))
        .isInstanceOf(RouterConfigException.class)
        .hasMessage(
            String.join(
                "\n",
                file
                    + ":2: prome_servers.a: \"127.0.0.1:99999\": port 99999 is not between 1 and 65535",
                file
                    + ":3: prome_servers.b: \"prom-b\" has no port (expected host:port, or a URL such as http://prom-b to mean port 80)",
                file
                    + ":7: shards.c.bearer_token_file: "
                    + directory.resolve("empty.token")
                    + " is empty",
                file
                    + ":11: shards.d.tls.ca_file: cannot read "
                    + directory.resolve("missing-ca.pem"),
                file
                    + ":13: http.listen_addr: \":70000\" is not host:port or :port (e.g. \":9097\", \"127.0.0.1:9097\")",
                file
                    + ":14: http.listen_adress: unknown key (known here: listen_addr, path_prefix)",
                file + ":18: routing.unknown_shard: \"maybe\" is not one of empty, reject",
                file
                    + ":20: upstream.timeout: \"soon\" is not a positive duration (e.g. 30s, 2m, 1h30m, 500ms)"));
  }
}
