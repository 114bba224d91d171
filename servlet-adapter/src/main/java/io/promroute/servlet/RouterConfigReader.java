package io.promroute.servlet;

import io.promroute.compat.HopByHopHeaders;
import io.promroute.compat.LabelNames;
import io.promroute.promql.ParserOptions;
import io.promroute.router.PromqlDialect;
import io.promroute.router.ReplicaPolicy;
import io.promroute.router.ShardTarget;
import io.promroute.servlet.YamlTree.Entry;
import io.promroute.servlet.YamlTree.Mapping;
import io.promroute.servlet.YamlTree.Node;
import io.promroute.servlet.YamlTree.Scalar;
import io.promroute.servlet.YamlTree.Sequence;
import io.promroute.shard.MissingShardMatcherPolicy;
import io.promroute.shard.ShardLabelMode;
import io.promroute.shard.UnknownShardPolicy;
import io.promroute.shard.UnlabeledSelectorPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@link YamlTree} into a {@link RouterConfig}, checking every key and value without the
 * network. A problem stops the configuration from being used (a router that starts with half its
 * configuration ignored is worse than one that does not start), but not the reading: the reader
 * goes on with the next setting, section or shard, and the exception names every problem found, one
 * per line, each {@code <source>:<line>: <dotted.key>: <problem>}, in line order. A problem that
 * leaves a setting unknown (a shard without a valid address) skips only what depends on it.
 */
final class RouterConfigReader {

  static final String DEFAULT_SHARD_LABEL = "cluster"; // prome-route's default
  static final String DEFAULT_LISTEN_ADDRESS = ":9097"; // prome-route's documented port
  static final Duration DEFAULT_UPSTREAM_TIMEOUT = Duration.ofMinutes(2);

  static final Duration DEFAULT_SILENCE_PROBE = PromRouteFilter.DEFAULT_SILENCE_PROBE;
  static final int DEFAULT_MAX_REQUEST_BODY_BYTES = 1 << 20;

  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /**
   * A size: a number and a unit ({@code B}, {@code KB}/{@code KiB}, ..., none for bytes) or {@code
   * %}.
   */
  private static final Pattern MEMORY_SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(%|[KMGT]i?B|B|)", Pattern.CASE_INSENSITIVE);

  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");
  private static final Pattern LISTEN_ADDRESS =
      Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^:\\s\\[\\]]*):(\\d{1,5})");

  private final String source;
  private final Path baseDirectory;

  /** Every problem found so far, in the order found. */
  private final List<RouterConfigException> problems = new ArrayList<>();

  /** Shards that are named but could not be read: not reported again as unknown shards. */
  private final Set<String> brokenShards = new LinkedHashSet<>();

  /**
   * @param source the file name or description, for messages
   * @param baseDirectory where relative {@code *_file} paths start (the config file's directory)
   */
  RouterConfigReader(String source, Path baseDirectory) {
    this.source = source;
    this.baseDirectory = baseDirectory;
  }

  /**
   * @throws RouterConfigException naming every problem of the configuration, one per line
   */
  RouterConfig read(Node root) {
    Section top = Section.root(this, root);
    top.allowOnly(
        "replace_label_name",
        "prome_servers",
        "shards",
        "http",
        "routing",
        "cross_shard",
        "promql",
        "upstream",
        "limits");

    String shardLabel =
        attempt(
            () -> {
              String label = top.string("replace_label_name").orElse(DEFAULT_SHARD_LABEL);
              if (!LabelNames.isLegacy(label) || label.startsWith("__")) {
                throw error(
                    top.scalarNode("replace_label_name"),
                    "replace_label_name",
                    "\""
                        + label
                        + "\" is not a label name (letters, digits and _, not starting with a digit or __)");
              }
              return label;
            },
            DEFAULT_SHARD_LABEL);

    Map<String, ShardTarget> shards = attempt(() -> readShards(top), Map.of());

    Section http = attempt(() -> top.section("http"), Section.empty(this, "http", top.line()));
    http.allowOnly("listen_addr", "path_prefix");
    String listenAddress =
        attempt(
            () -> {
              String address = http.string("listen_addr").orElse(DEFAULT_LISTEN_ADDRESS).strip();
              if (!LISTEN_ADDRESS.matcher(address).matches() || port(address) > 65535) {
                throw error(
                    http.scalarNode("listen_addr"),
                    "http.listen_addr",
                    "\""
                        + address
                        + "\" is not host:port or :port (e.g. \":9097\", \"127.0.0.1:9097\")");
              }
              return address;
            },
            DEFAULT_LISTEN_ADDRESS);
    String pathPrefix =
        attempt(
            () -> {
              String prefix = http.string("path_prefix").orElse("");
              if (!prefix.isEmpty()
                  && (!prefix.startsWith("/") || prefix.contains("?") || prefix.contains("#"))) {
                throw error(
                    http.scalarNode("path_prefix"),
                    "http.path_prefix",
                    "\"" + prefix + "\" must be a path starting with / (e.g. \"/prometheus\")");
              }
              while (prefix.endsWith("/")) {
                prefix = prefix.substring(0, prefix.length() - 1);
              }
              return prefix;
            },
            "");

    Section routing =
        attempt(() -> top.section("routing"), Section.empty(this, "routing", top.line()));
    routing.allowOnly(
        "missing_shard_matcher",
        "default_shard",
        "unlabeled_selectors",
        "unknown_shard",
        "shard_label");
    MissingShardMatcherPolicy configuredMissing =
        attempt(
            () ->
                routing.choice(
                    "missing_shard_matcher",
                    Map.of(
                        "all_shards", MissingShardMatcherPolicy.ALL_SHARDS,
                        "reject", MissingShardMatcherPolicy.REJECT,
                        "default_shard", MissingShardMatcherPolicy.DEFAULT_SHARD),
                    null),
            null);
    String defaultShard = attempt(() -> routing.string("default_shard").orElse(null), null);
    MissingShardMatcherPolicy missing =
        attempt(
            () -> missingShardMatcher(routing, configuredMissing, defaultShard, shards),
            MissingShardMatcherPolicy.ALL_SHARDS);
    UnlabeledSelectorPolicy unlabeled =
        attempt(
            () ->
                routing.choice(
                    "unlabeled_selectors",
                    Map.of(
                        "global", UnlabeledSelectorPolicy.GLOBAL_VIEW,
                        "inherit", UnlabeledSelectorPolicy.INHERIT,
                        "reject", UnlabeledSelectorPolicy.REJECT),
                    UnlabeledSelectorPolicy.GLOBAL_VIEW),
            UnlabeledSelectorPolicy.GLOBAL_VIEW);
    UnknownShardPolicy unknown =
        attempt(
            () ->
                routing.choice(
                    "unknown_shard",
                    Map.of(
                        "empty", UnknownShardPolicy.EMPTY_RESULT,
                        "reject", UnknownShardPolicy.REJECT),
                    UnknownShardPolicy.EMPTY_RESULT),
            UnknownShardPolicy.EMPTY_RESULT);
    ShardLabelMode mode =
        attempt(
            () ->
                routing.choice(
                    "shard_label",
                    Map.of(
                        "strip", ShardLabelMode.STRIP,
                        "keep", ShardLabelMode.KEEP),
                    ShardLabelMode.STRIP),
            ShardLabelMode.STRIP);

    Section crossShard =
        attempt(() -> top.section("cross_shard"), Section.empty(this, "cross_shard", top.line()));
    crossShard.allowOnly("aggregation");
    boolean exactAggregation =
        attempt(
            () ->
                crossShard.choice(
                    "aggregation",
                    Map.of(
                        "partials", Boolean.FALSE,
                        "exact", Boolean.TRUE),
                    Boolean.FALSE),
            Boolean.FALSE);

    Section limits =
        attempt(() -> top.section("limits"), Section.empty(this, "limits", top.line()));
    limits.allowOnly(
        "max_query_length", "max_request_body_bytes", "max_samples", "max_series", "max_memory");
    int maxQueryLength =
        attempt(
            () -> limits.positiveInt("max_query_length", ParserOptions.DEFAULT_MAX_QUERY_LENGTH),
            ParserOptions.DEFAULT_MAX_QUERY_LENGTH);
    int maxBody =
        attempt(
            () -> limits.positiveInt("max_request_body_bytes", DEFAULT_MAX_REQUEST_BODY_BYTES),
            DEFAULT_MAX_REQUEST_BODY_BYTES);
    int maxSamples =
        attempt(
            () ->
                limits.positiveInt(
                    "max_samples", (int) io.promroute.api.SampleLimit.DEFAULT_MAX_SAMPLES),
            (int) io.promroute.api.SampleLimit.DEFAULT_MAX_SAMPLES);
    int maxSeries =
        attempt(
            () -> limits.positiveInt("max_series", PromRouteFilter.DEFAULT_MAX_SERIES),
            PromRouteFilter.DEFAULT_MAX_SERIES);
    long maxMemory =
        attempt(
            () -> limits.memorySize("max_memory", io.promroute.api.MemoryBudget.defaultBytes()),
            io.promroute.api.MemoryBudget.defaultBytes());

    Section promql =
        attempt(() -> top.section("promql"), Section.empty(this, "promql", top.line()));
    promql.allowOnly(
        "experimental_functions",
        "duration_expressions",
        "extended_range_selectors",
        "binop_fill_modifiers",
        "prometheus2_functions",
        "dialect",
        "max_nesting_depth");
    ParserOptions defaults = ParserOptions.defaults();
    ParserOptions parserOptions =
        ParserOptions.builder()
            .experimentalFunctions(
                attempt(
                    () -> promql.bool("experimental_functions", defaults.experimentalFunctions()),
                    defaults.experimentalFunctions()))
            .durationExpressions(
                attempt(
                    () -> promql.bool("duration_expressions", defaults.durationExpressions()),
                    defaults.durationExpressions()))
            .extendedRangeSelectors(
                attempt(
                    () ->
                        promql.bool("extended_range_selectors", defaults.extendedRangeSelectors()),
                    defaults.extendedRangeSelectors()))
            .binopFillModifiers(
                attempt(
                    () -> promql.bool("binop_fill_modifiers", defaults.binopFillModifiers()),
                    defaults.binopFillModifiers()))
            .prometheus2Functions(
                attempt(
                    () -> promql.bool("prometheus2_functions", defaults.prometheus2Functions()),
                    defaults.prometheus2Functions()))
            .maxNestingDepth(
                attempt(
                    () -> promql.positiveInt("max_nesting_depth", defaults.maxNestingDepth()),
                    defaults.maxNestingDepth()))
            .maxQueryLength(maxQueryLength)
            .build();
    // An explicit prometheus2_functions pins the dialect; otherwise it follows the shards.
    PromqlDialect dialect =
        promql.has("prometheus2_functions")
            ? (parserOptions.prometheus2Functions()
                ? PromqlDialect.PROMETHEUS_2
                : PromqlDialect.PROMETHEUS_3)
            : attempt(
                () ->
                    promql.choice(
                        "dialect",
                        Map.of(
                            "auto", PromqlDialect.AUTO,
                            "prometheus2", PromqlDialect.PROMETHEUS_2,
                            "prometheus3", PromqlDialect.PROMETHEUS_3),
                        PromqlDialect.AUTO),
                PromqlDialect.AUTO);

    Section upstream =
        attempt(() -> top.section("upstream"), Section.empty(this, "upstream", top.line()));
    upstream.allowOnly(
        "timeout", "forward_headers", "partial_response", "silence_probe", "replicas");
    Duration timeout =
        attempt(
            () -> upstream.duration("timeout", DEFAULT_UPSTREAM_TIMEOUT), DEFAULT_UPSTREAM_TIMEOUT);
    boolean partialResponse = attempt(() -> upstream.bool("partial_response", true), true);
    Duration silenceProbe =
        attempt(
            () -> upstream.duration("silence_probe", DEFAULT_SILENCE_PROBE, true),
            DEFAULT_SILENCE_PROBE);
    Section replicas =
        attempt(
            () -> upstream.section("replicas"),
            Section.empty(this, "upstream.replicas", upstream.line()));
    replicas.allowOnly("first_byte_timeout", "backoff", "probe_interval");
    ReplicaPolicy defaultPolicy = ReplicaPolicy.DEFAULT;
    ReplicaPolicy replicaPolicy =
        attempt(
            () -> {
              try {
                return new ReplicaPolicy(
                    replicas.duration("first_byte_timeout", defaultPolicy.firstByteTimeout()),
                    replicas.duration("backoff", defaultPolicy.backoff()),
                    replicas.duration("probe_interval", defaultPolicy.probeInterval()));
              } catch (IllegalArgumentException e) {
                throw error(replicas.line(), "upstream.replicas", e.getMessage());
              }
            },
            defaultPolicy);
    Set<String> forwardHeaders = new LinkedHashSet<>();
    for (Scalar header : attempt(() -> upstream.stringList("forward_headers"), List.<Scalar>of())) {
      String name = header.text();
      if (!HEADER_NAME.matcher(name).matches()) {
        problem(error(header, "upstream.forward_headers", "\"" + name + "\" is not a header name"));
      } else if (HopByHopHeaders.contains(name.toLowerCase(Locale.ROOT))) {
        problem(
            error(
                header,
                "upstream.forward_headers",
                "\"" + name + "\" is a hop-by-hop or framing header and is never forwarded"));
      } else {
        forwardHeaders.add(name.toLowerCase(Locale.ROOT));
      }
    }

    if (!problems.isEmpty()) {
      throw allProblems();
    }
    return new RouterConfig(
        shardLabel,
        shards,
        listenAddress,
        pathPrefix,
        missing,
        defaultShard,
        unlabeled,
        unknown,
        mode,
        parserOptions,
        dialect,
        timeout,
        partialResponse,
        silenceProbe,
        exactAggregation,
        replicaPolicy,
        forwardHeaders,
        maxBody,
        maxSamples,
        maxSeries,
        maxMemory,
        source);
  }

  /** The policy for a query without a shard matcher, checked against the default shard. */
  private MissingShardMatcherPolicy missingShardMatcher(
      Section routing,
      MissingShardMatcherPolicy configured,
      String defaultShard,
      Map<String, ShardTarget> shards) {
    MissingShardMatcherPolicy missing = configured;
    if (defaultShard != null) {
      if (!shards.containsKey(defaultShard)
          && !shards.isEmpty()
          && !brokenShards.contains(defaultShard)) {
        throw error(
            routing.scalarNode("default_shard"),
            "routing.default_shard",
            "\""
                + defaultShard
                + "\" is not a configured shard (shards: "
                + String.join(", ", shards.keySet())
                + ")");
      }
      if (missing == null) {
        missing = MissingShardMatcherPolicy.DEFAULT_SHARD; // naming a default shard means using it
      } else if (missing != MissingShardMatcherPolicy.DEFAULT_SHARD) {
        throw error(
            routing.scalarNode("default_shard"),
            "routing.default_shard",
            "only used with missing_shard_matcher: default_shard, but missing_shard_matcher is "
                + missing.name().toLowerCase(Locale.ROOT));
      }
    } else if (missing == MissingShardMatcherPolicy.DEFAULT_SHARD) {
      throw error(
          routing.scalarNode("missing_shard_matcher"),
          "routing.missing_shard_matcher",
          "default_shard needs routing.default_shard naming one of: "
              + String.join(", ", shards.keySet()));
    }
    return missing == null ? MissingShardMatcherPolicy.ALL_SHARDS : missing;
  }

  /** Runs one part of the reading; a problem is noted and {@code fallback} stands for the part. */
  private <T> T attempt(java.util.function.Supplier<T> part, T fallback) {
    try {
      return part.get();
    } catch (RouterConfigException e) {
      problem(e);
      return fallback;
    }
  }

  private void problem(RouterConfigException problem) {
    problems.add(problem);
  }

  /** One exception naming every problem, one per line, in the file's line order. */
  private RouterConfigException allProblems() {
    if (problems.size() == 1) {
      return problems.get(0);
    }
    List<RouterConfigException> sorted = new ArrayList<>(problems);
    sorted.sort(java.util.Comparator.comparingInt(this::lineOf)); // stable: same line, order found
    StringBuilder message = new StringBuilder();
    for (RouterConfigException problem : sorted) {
      message.append(message.isEmpty() ? "" : "\n").append(problem.getMessage());
    }
    return new RouterConfigException(message.toString());
  }

  private int lineOf(RouterConfigException problem) {
    String message = problem.getMessage();
    int end = message.startsWith(source + ":") ? message.indexOf(':', source.length() + 1) : -1;
    try {
      return end < 0 ? 0 : Integer.parseInt(message.substring(source.length() + 1, end));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private Map<String, ShardTarget> readShards(Section top) {
    // prome-route's map gives each shard its address; "shards" adds details, and may also give
    // the address (url) for a shard that prome_servers does not list.
    Map<String, List<Scalar>> addresses = new LinkedHashMap<>();
    Section servers = top.section("prome_servers");
    for (Entry entry : servers.entries()) {
      List<Scalar> address =
          attempt(
              () -> {
                checkShardKey(entry, "prome_servers");
                return servers.addresses(entry);
              },
              null);
      if (address != null) {
        addresses.put(entry.key(), address);
      } else {
        brokenShards.add(entry.key());
      }
    }
    Section details =
        attempt(() -> top.section("shards"), Section.empty(this, "shards", top.line()));
    Map<String, Section> detailSections = new LinkedHashMap<>();
    for (Entry entry : details.entries()) {
      Section detail =
          attempt(
              () -> {
                checkShardKey(entry, "shards");
                return details.section(entry.key());
              },
              null);
      if (detail != null) {
        detailSections.put(entry.key(), detail);
      } else {
        brokenShards.add(entry.key());
      }
    }
    if (addresses.isEmpty() && detailSections.isEmpty() && brokenShards.isEmpty()) {
      throw new RouterConfigException(
          source
              + ":"
              + top.line()
              + ": prome_servers: no shard configured: "
              + "list each shard key and its address, e.g.\nprome_servers:\n  a: 127.0.0.1:9090");
    }
    Set<String> keys = new LinkedHashSet<>(addresses.keySet());
    keys.addAll(detailSections.keySet());
    keys.removeAll(brokenShards); // their problem is noted; more about them would be noise

    Map<String, ShardTarget> shards = new LinkedHashMap<>();
    for (String key : keys) {
      // A problem in one shard is noted and the next shard is read.
      try {
        List<Scalar> address = addresses.get(key);
        Section detail =
            detailSections.getOrDefault(key, Section.empty(this, "shards." + key, top.line()));
        detail.allowOnly(
            "url", "basic_auth", "bearer_token", "bearer_token_file", "headers", "tls");
        List<Scalar> url =
            detail.has("url") && detail.scalarOrList("url")
                ? detail.addresses(detail.entry("url"))
                : null;
        if (address != null && url != null) {
          throw error(
              url.get(0),
              "shards." + key + ".url",
              "shard \""
                  + key
                  + "\" already has its address in prome_servers (line "
                  + address.get(0).line()
                  + ")");
        }
        if (address == null && url == null) {
          throw new RouterConfigException(
              source
                  + ":"
                  + detail.line()
                  + ": shards."
                  + key
                  + ": no address: add url: http://host:port (or list it under prome_servers)");
        }
        List<Scalar> where = address != null ? address : url;
        String whereKey = address != null ? "prome_servers." + key : "shards." + key + ".url";
        List<URI> baseUrls = new java.util.ArrayList<>();
        for (Scalar replica : where) {
          URI baseUrl = baseUrl(replica, whereKey);
          if (baseUrls.contains(baseUrl)) {
            throw error(replica, whereKey, "\"" + replica.text().strip() + "\" is listed twice");
          }
          baseUrls.add(baseUrl);
        }

        String user = null;
        String password = null;
        Section basicAuth = detail.section("basic_auth");
        if (basicAuth.present()) {
          basicAuth.allowOnly("username", "password", "password_file");
          user =
              basicAuth
                  .string("username")
                  .orElseThrow(
                      () ->
                          new RouterConfigException(
                              source
                                  + ":"
                                  + basicAuth.line()
                                  + ": shards."
                                  + key
                                  + ".basic_auth.username: missing"));
          password =
              secret(basicAuth, "password", "password_file", "shards." + key + ".basic_auth");
          if (password == null) {
            throw new RouterConfigException(
                source
                    + ":"
                    + basicAuth.line()
                    + ": shards."
                    + key
                    + ".basic_auth: give password or password_file");
          }
        }
        String token = secret(detail, "bearer_token", "bearer_token_file", "shards." + key);
        if (token != null && user != null) {
          Scalar tokenNode =
              detail.scalarNode(detail.has("bearer_token") ? "bearer_token" : "bearer_token_file");
          throw error(
              tokenNode,
              "shards."
                  + key
                  + "."
                  + (detail.has("bearer_token") ? "bearer_token" : "bearer_token_file"),
              "a shard takes basic_auth or a bearer token, not both");
        }

        Map<String, String> headers = new LinkedHashMap<>();
        Section headerSection = detail.section("headers");
        for (Entry header : headerSection.entries()) {
          String name = header.key();
          String headerKey = "shards." + key + ".headers." + name;
          Scalar value = headerSection.requiredScalar(header);
          if (!HEADER_NAME.matcher(name).matches()) {
            throw error(header.line(), headerKey, "\"" + name + "\" is not a header name");
          }
          String lower = name.toLowerCase(Locale.ROOT);
          if (HopByHopHeaders.contains(lower)) {
            throw error(header.line(), headerKey, "a hop-by-hop or framing header cannot be set");
          }
          if (lower.equals("authorization") && (user != null || token != null)) {
            throw error(
                header.line(), headerKey, "the shard already has basic_auth or a bearer token");
          }
          headers.put(name, value.text());
        }

        ShardTarget.Tls tls = ShardTarget.Tls.DEFAULT;
        Section tlsSection = detail.section("tls");
        if (tlsSection.present()) {
          tlsSection.allowOnly("ca_file", "insecure_skip_verify");
          Path caFile = null;
          Scalar caNode = tlsSection.scalarNode("ca_file");
          if (caNode != null) {
            caFile = resolve(caNode.text());
            if (!Files.isReadable(caFile)) {
              throw error(caNode, "shards." + key + ".tls.ca_file", "cannot read " + caFile);
            }
          }
          tls = new ShardTarget.Tls(caFile, tlsSection.bool("insecure_skip_verify", false));
          if (tls.caFile() != null && tls.insecureSkipVerify()) {
            throw error(
                tlsSection.scalarNode("insecure_skip_verify"),
                "shards." + key + ".tls.insecure_skip_verify",
                "true trusts every certificate, so ca_file would be ignored: give one of the two");
          }
        }
        shards.put(key, new ShardTarget(baseUrls, user, password, token, headers, tls));
      } catch (RouterConfigException e) {
        problem(e);
        brokenShards.add(key);
      }
    }
    return shards;
  }

  private void checkShardKey(Entry entry, String section) {
    if (entry.key().isEmpty()) {
      throw error(entry.line(), section, "a shard key is empty");
    }
  }

  private URI baseUrl(Scalar node, String key) {
    String text = node.text().strip();
    if (text.chars().allMatch(Character::isDigit)) {
      throw error(
          node, key, "\"" + text + "\" has no host (expected host:port or http://host:port)");
    }
    String url = text.contains("://") ? text : "http://" + text;
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw error(node, key, "\"" + text + "\" is not host:port or a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw error(node, key, "\"" + text + "\": only http and https URLs are supported");
    }
    if (uri.getRawAuthority() != null && uri.getRawUserInfo() == null) {
      try {
        uri.parseServerAuthority(); // a host name with, e.g., an underscore is no host at all to
        // the client
      } catch (URISyntaxException e) {
        throw error(node, key, "\"" + text + "\": not a valid host and port: " + e.getReason());
      }
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw error(
          node, key, "\"" + text + "\" has no host (expected host:port or http://host:port)");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw error(
          node, key, "\"" + text + "\": port " + uri.getPort() + " is not between 1 and 65535");
    }
    if (!text.contains("://") && uri.getPort() < 0) {
      // prome-route's form is host:port; without a port the client would silently use 80.
      throw error(
          node,
          key,
          "\""
              + text
              + "\" has no port (expected host:port, or a URL such as http://"
              + text
              + " to mean port 80)");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw error(node, key, "\"" + text + "\": a shard URL takes no query or fragment");
    }
    if (uri.getRawUserInfo() != null) {
      throw error(node, key, "put credentials in basic_auth, not in the URL");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    // API paths are appended to the base URL, so it is kept without a trailing slash.
    return URI.create(scheme + "://" + uri.getRawAuthority() + path);
  }

  /** The inline value or the trimmed content of the file; {@code null} when neither is given. */
  private String secret(Section section, String inlineKey, String fileKey, String prefix) {
    Scalar inline = section.scalarNode(inlineKey);
    Scalar file = section.scalarNode(fileKey);
    if (inline != null && file != null) {
      throw error(
          file, prefix + "." + fileKey, "give " + inlineKey + " or " + fileKey + ", not both");
    }
    if (inline != null) {
      return section.string(inlineKey).orElseThrow();
    }
    if (file != null) {
      Path path = resolve(section.string(fileKey).orElseThrow());
      try {
        // A trailing newline is almost always an editor's, never part of the secret.
        String secret = Files.readString(path, StandardCharsets.UTF_8).strip();
        if (secret.isEmpty()) {
          throw error(file, prefix + "." + fileKey, path + " is empty");
        }
        return secret;
      } catch (IOException e) {
        throw error(
            file,
            prefix + "." + fileKey,
            "cannot read " + path + " (" + e.getClass().getSimpleName() + ")");
      }
    }
    return null;
  }

  private Path resolve(String file) {
    Path path = Path.of(file);
    return path.isAbsolute() ? path : baseDirectory.resolve(path).normalize();
  }

  static Duration parseDuration(String text) {
    if (text.isEmpty()) {
      return null;
    }
    Matcher matcher = DURATION_PART.matcher(text);
    Duration total = Duration.ZERO;
    int at = 0;
    while (at < text.length()) {
      if (!matcher.find(at) || matcher.start() != at) {
        return null;
      }
      long amount = Long.parseLong(matcher.group(1));
      total =
          total.plus(
              switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                case "w" -> Duration.ofDays(7 * amount);
                case "y" -> Duration.ofDays(365 * amount);
                default -> throw new IllegalStateException(matcher.group(2));
              });
      at = matcher.end();
    }
    return total;
  }

  private static int port(String listenAddress) {
    return Integer.parseInt(listenAddress.substring(listenAddress.lastIndexOf(':') + 1));
  }

  RouterConfigException error(Node node, String key, String problem) {
    return error(node.line(), key, problem);
  }

  RouterConfigException error(int line, String key, String problem) {
    return new RouterConfigException(source + ":" + line + ": " + key + ": " + problem);
  }

  /** A mapping at a dotted path; an absent or empty section reads as an empty map. */
  static final class Section {
    private final RouterConfigReader reader;
    private final String path;
    private final Mapping mapping;
    private final int line;

    private Section(RouterConfigReader reader, String path, Mapping mapping, int line) {
      this.reader = reader;
      this.path = path;
      this.mapping = mapping;
      this.line = line;
    }

    static Section root(RouterConfigReader reader, Node root) {
      if (root instanceof Scalar scalar && scalar.isNull()) {
        return empty(reader, "", 1);
      }
      if (!(root instanceof Mapping mapping)) {
        throw new RouterConfigException(
            reader.source
                + ":"
                + root.line()
                + ": the configuration must be a map of keys (replace_label_name, prome_servers, http, ...), found "
                + root.kind());
      }
      return new Section(reader, "", mapping, root.line());
    }

    static Section empty(RouterConfigReader reader, String path, int line) {
      return new Section(reader, path, null, line);
    }

    boolean present() {
      return mapping != null;
    }

    int line() {
      return line;
    }

    boolean has(String key) {
      return mapping != null && mapping.entries().containsKey(key);
    }

    List<Entry> entries() {
      return mapping == null ? List.of() : List.copyOf(mapping.entries().values());
    }

    private String key(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    /** Notes every unknown key as a problem; reading goes on with the known ones. */
    void allowOnly(String... known) {
      Set<String> allowed = Set.of(known);
      for (Entry entry : entries()) {
        if (!allowed.contains(entry.key())) {
          reader.problem(
              reader.error(
                  entry.line(),
                  key(entry.key()),
                  "unknown key (known here: " + String.join(", ", known) + ")"));
        }
      }
    }

    Section section(String key) {
      Entry entry = mapping == null ? null : mapping.entries().get(key);
      if (entry == null || entry.value() instanceof Scalar scalar && scalar.isNull()) {
        return empty(reader, key(key), entry == null ? line : entry.line());
      }
      if (!(entry.value() instanceof Mapping child)) {
        throw reader.error(
            entry.value(), key(key), "expected a map, found " + entry.value().kind());
      }
      return new Section(reader, key(key), child, entry.line());
    }

    /** The scalar at {@code key}, {@code null} when absent or empty. */
    Scalar scalarNode(String key) {
      Entry entry = mapping == null ? null : mapping.entries().get(key);
      if (entry == null) {
        return null;
      }
      Scalar scalar = requiredScalar(entry);
      return scalar.isNull() ? null : scalar;
    }

    Entry entry(String key) {
      return mapping.entries().get(key);
    }

    /** Whether {@code key} has a value or a list (an empty value reads as absent). */
    boolean scalarOrList(String key) {
      Node value = entry(key).value();
      return !(value instanceof Scalar scalar && scalar.isNull());
    }

    /**
     * A shard's address, or the addresses of its replicas: one value or a list of them, in order of
     * preference.
     */
    List<Scalar> addresses(Entry entry) {
      List<Node> items =
          entry.value() instanceof Sequence sequence ? sequence.items() : List.of(entry.value());
      if (items.isEmpty()) {
        throw reader.error(
            entry.line(), key(entry.key()), "no address (expected host:port or a URL)");
      }
      List<Scalar> addresses = new java.util.ArrayList<>();
      for (Node item : items) {
        if (!(item instanceof Scalar scalar)) {
          throw reader.error(
              item, key(entry.key()), "expected host:port or a URL, found " + item.kind());
        }
        if (scalar.isNull() || scalar.text().isBlank()) {
          throw reader.error(
              entry.line(), key(entry.key()), "no address (expected host:port or a URL)");
        }
        addresses.add(scalar);
      }
      return addresses;
    }

    Scalar requiredScalar(Entry entry) {
      if (!(entry.value() instanceof Scalar scalar)) {
        throw reader.error(
            entry.value(), key(entry.key()), "expected a value, found " + entry.value().kind());
      }
      // An empty value may be YAML's null: optional keys treat it as absent, callers that need
      // a value say so.
      return scalar;
    }

    java.util.Optional<String> string(String key) {
      Scalar scalar = scalarNode(key);
      return scalar == null ? java.util.Optional.empty() : java.util.Optional.of(scalar.text());
    }

    boolean bool(String key, boolean fallback) {
      Scalar scalar = scalarNode(key);
      if (scalar == null) {
        return fallback;
      }
      return switch (scalar.text().toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default ->
            throw reader.error(scalar, key(key), "\"" + scalar.text() + "\" is not true or false");
      };
    }

    int positiveInt(String key, int fallback) {
      Scalar scalar = scalarNode(key);
      if (scalar == null) {
        return fallback;
      }
      try {
        int value = Integer.parseInt(scalar.text().replace("_", ""));
        if (value > 0) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below, with the key
      }
      throw reader.error(
          scalar,
          key(key),
          "\""
              + scalar.text()
              + "\" is not a positive whole number (at most "
              + Integer.MAX_VALUE
              + ")");
    }

    /**
     * A size in bytes: a whole number of bytes, or one with a unit ({@code KB}, {@code MB}, {@code
     * GB}, powers of 1024 as in Prometheus's {@code --storage.tsdb.retention.size}), or a
     * percentage of this JVM's maximum heap ({@code 50%}).
     */
    long memorySize(String key, long fallback) {
      Scalar scalar = scalarNode(key);
      if (scalar == null) {
        return fallback;
      }
      java.util.regex.Matcher matcher = MEMORY_SIZE.matcher(scalar.text().replace("_", "").trim());
      if (matcher.matches()) {
        try {
          if (matcher.group(2).equals("%")) {
            double percent = Double.parseDouble(matcher.group(1));
            if (percent > 0 && percent <= 100) {
              return io.promroute.api.MemoryBudget.heapFraction(percent / 100);
            }
          } else if (!matcher.group(1).contains(".")) {
            int shift =
                switch (matcher.group(2).toUpperCase(Locale.ROOT)) {
                  case "KB", "KIB" -> 10;
                  case "MB", "MIB" -> 20;
                  case "GB", "GIB" -> 30;
                  case "TB", "TIB" -> 40;
                  default -> 0;
                };
            long value = Long.parseLong(matcher.group(1));
            if (value > 0 && value <= Long.MAX_VALUE >> shift) {
              return value << shift;
            }
          }
        } catch (NumberFormatException e) {
          // reported below, with the key
        }
      }
      throw reader.error(
          scalar,
          key(key),
          "\""
              + scalar.text()
              + "\" is not a positive size (bytes, e.g. 268435456 or 256MB, or a share of the heap, e.g. 50%)");
    }

    Duration duration(String key, Duration fallback) {
      return duration(key, fallback, false);
    }

    /** {@code zeroIsOff}: {@code 0s} is accepted, and means the feature is off. */
    Duration duration(String key, Duration fallback, boolean zeroIsOff) {
      Scalar scalar = scalarNode(key);
      if (scalar == null) {
        return fallback;
      }
      Duration duration = parseDuration(scalar.text());
      if (zeroIsOff && (duration == null || duration.compareTo(Duration.ofDays(1)) > 0)) {
        throw reader.error(
            scalar,
            key(key),
            "\"" + scalar.text() + "\" is not a duration up to 24h (e.g. 5s, 500ms; 0s for never)");
      }
      if (duration != null && duration.isZero() && zeroIsOff) {
        return duration;
      }
      if (duration == null || duration.isZero()) {
        throw reader.error(
            scalar,
            key(key),
            "\"" + scalar.text() + "\" is not a positive duration (e.g. 30s, 2m, 1h30m, 500ms)");
      }
      return duration;
    }

    <E> E choice(String key, Map<String, E> choices, E fallback) {
      Scalar scalar = scalarNode(key);
      if (scalar == null) {
        return fallback;
      }
      E value = choices.get(scalar.text());
      if (value == null) {
        throw reader.error(
            scalar,
            key(key),
            "\""
                + scalar.text()
                + "\" is not one of "
                + String.join(", ", new java.util.TreeSet<>(choices.keySet())));
      }
      return value;
    }

    List<Scalar> stringList(String key) {
      Entry entry = mapping == null ? null : mapping.entries().get(key);
      if (entry == null || entry.value() instanceof Scalar scalar && scalar.isNull()) {
        return List.of();
      }
      if (!(entry.value() instanceof Sequence sequence)) {
        throw reader.error(
            entry.value(), key(key), "expected a list, found " + entry.value().kind());
      }
      for (Node item : sequence.items()) {
        if (!(item instanceof Scalar scalar) || scalar.isNull()) {
          throw reader.error(item, key(key), "expected a list of values, found " + item.kind());
        }
      }
      return sequence.items().stream().map(Scalar.class::cast).toList();
    }
  }
}
