package io.promroute.servlet;

import static java.util.Objects.requireNonNull;

import io.promroute.promql.ParserOptions;
import io.promroute.router.PromqlDialect;
import io.promroute.router.ReplicaPolicy;
import io.promroute.router.ShardTarget;
import io.promroute.shard.MissingShardMatcherPolicy;
import io.promroute.shard.ShardLabelMode;
import io.promroute.shard.UnknownShardPolicy;
import io.promroute.shard.UnlabeledSelectorPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The router's configuration, as read from a YAML file that prome-route's {@code prome-route.yml}
 * is a valid instance of ({@code replace_label_name}, {@code prome_servers}, {@code
 * http.listen_addr}), plus PromRoute's extensions. Shared by the filter's init-param and the
 * standalone router.
 *
 * @param shardLabel {@code replace_label_name}: the shard label, e.g. {@code cluster}
 * @param shards shard key to target, in file order ({@code prome_servers} plus per-shard details)
 * @param listenAddress {@code http.listen_addr}, e.g. {@code :9097} (standalone router only)
 * @param pathPrefix serve the API under this prefix ({@code ""} for none)
 * @param missingShardMatcher what to do with a query that names no shard
 * @param defaultShard the shard for {@link MissingShardMatcherPolicy#DEFAULT_SHARD}, or {@code
 *     null}
 * @param unlabeledSelectors what to do with selectors without a shard matcher
 * @param unknownShard what to do with a shard value no shard has
 * @param mode strip the shard matchers, or keep them (shards that store the label)
 * @param parserOptions the PromQL features and limits accepted
 * @param promqlDialect whose PromQL is accepted where Prometheus versions differ: the shards'
 *     ({@code promql.dialect: auto}), or pinned ({@code promql.prometheus2_functions})
 * @param upstreamTimeout how long a shard may take
 * @param partialResponse answer with the other shards' data and a warning when one of several fails
 *     (default); else that shard's error
 * @param silenceProbe {@code upstream.silence_probe}: how long a request to a shard waits for
 *     response headers before the shard's {@code /-/ready} is asked (and how long that probe may
 *     take); a shard whose probe gets no answer fails its requests at once until a probe answers;
 *     zero for never
 * @param exactCrossShardAggregation {@code cross_shard.aggregation: exact}: cross-shard {@code
 *     sum}, {@code avg}, {@code stddev} and {@code stdvar} fetch every input series and aggregate
 *     them in the router in Prometheus's order (the same to the last bit, cost growing with the
 *     series); {@code false} ({@code partials}, the default): one partial per group and shard
 * @param replicaPolicy how shards with several replicas choose one and fail over
 * @param forwardedHeaders client headers forwarded to shards
 * @param maxRequestBodyBytes the largest POST body accepted
 * @param maxSamples {@code limits.max_samples}: the most samples one cross-shard query may hold in
 *     the router (Prometheus's {@code --query.max-samples})
 * @param maxSeries {@code limits.max_series}: the most series in an answer merged by the router
 * @param maxMemoryBytes {@code limits.max_memory}: what all requests together may hold in the
 *     router's memory to merge and evaluate answers, in bytes (a percentage in the file is resolved
 *     against this JVM's maximum heap when the file is read)
 * @param source where the configuration was read from, for messages (file path or a name)
 */
public record RouterConfig(
    String shardLabel,
    Map<String, ShardTarget> shards,
    String listenAddress,
    String pathPrefix,
    MissingShardMatcherPolicy missingShardMatcher,
    String defaultShard,
    UnlabeledSelectorPolicy unlabeledSelectors,
    UnknownShardPolicy unknownShard,
    ShardLabelMode mode,
    ParserOptions parserOptions,
    PromqlDialect promqlDialect,
    Duration upstreamTimeout,
    boolean partialResponse,
    Duration silenceProbe,
    boolean exactCrossShardAggregation,
    ReplicaPolicy replicaPolicy,
    Set<String> forwardedHeaders,
    int maxRequestBodyBytes,
    long maxSamples,
    int maxSeries,
    long maxMemoryBytes,
    String source) {

  /**
   * Checks the configuration and copies the collections (shards keep their file order). The
   * settings are checked against each other when the filter is built, not here.
   *
   * @param shardLabel the shard label
   * @param shards shard key to target, in file order
   * @param listenAddress the standalone router's listen address
   * @param pathPrefix the API's prefix, {@code ""} for none
   * @param missingShardMatcher what to do with a query that names no shard
   * @param defaultShard the default shard, or {@code null}
   * @param unlabeledSelectors what to do with selectors without a shard matcher
   * @param unknownShard what to do with a shard value no shard has
   * @param mode strip or keep the shard matchers
   * @param parserOptions the PromQL features and limits accepted
   * @param promqlDialect whose PromQL is accepted where Prometheus versions differ
   * @param upstreamTimeout how long a shard may take
   * @param partialResponse whether a failing shard of several becomes a warning
   * @param silenceProbe when a shard is probed, and how long the probe may take; zero for never
   * @param exactCrossShardAggregation whether cross-shard sums are computed from every input series
   * @param replicaPolicy how replicas are chosen and failed over
   * @param forwardedHeaders client headers forwarded to shards
   * @param maxRequestBodyBytes the largest POST body accepted, in bytes
   * @param maxSamples the most samples one cross-shard query may hold
   * @param maxSeries the most series in an answer merged by the router
   * @param maxMemoryBytes what all requests together may hold in memory to merge and evaluate
   *     answers, in bytes ({@code limits.max_memory})
   * @param source where the configuration was read from
   * @throws NullPointerException if an argument but {@code defaultShard} is null
   */
  public RouterConfig {
    requireNonNull(shardLabel, "shardLabel is null");
    shards =
        java.util.Collections.unmodifiableMap(
            new LinkedHashMap<>(requireNonNull(shards, "shards is null")));
    requireNonNull(listenAddress, "listenAddress is null");
    requireNonNull(pathPrefix, "pathPrefix is null");
    requireNonNull(missingShardMatcher, "missingShardMatcher is null");
    requireNonNull(unlabeledSelectors, "unlabeledSelectors is null");
    requireNonNull(unknownShard, "unknownShard is null");
    requireNonNull(mode, "mode is null");
    requireNonNull(parserOptions, "parserOptions is null");
    requireNonNull(promqlDialect, "promqlDialect is null");
    requireNonNull(upstreamTimeout, "upstreamTimeout is null");
    requireNonNull(silenceProbe, "silenceProbe is null");
    requireNonNull(replicaPolicy, "replicaPolicy is null");
    forwardedHeaders = Set.copyOf(requireNonNull(forwardedHeaders, "forwardedHeaders is null"));
    requireNonNull(source, "source is null");
    if (maxMemoryBytes <= 0) {
      throw new IllegalArgumentException("maxMemoryBytes must be positive: " + maxMemoryBytes);
    }
  }

  /**
   * Reads a configuration file. Relative paths in it ({@code password_file}, {@code
   * bearer_token_file}, {@code tls.ca_file}) start at the file's directory, and the files they name
   * are read now.
   *
   * @param file the YAML file
   * @return the configuration
   * @throws RouterConfigException if the file cannot be read, or naming the key and line of the
   *     first problem
   */
  public static RouterConfig load(Path file) {
    requireNonNull(file, "file is null");
    String yaml;
    try {
      yaml = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new RouterConfigException(file + ": cannot read the configuration: " + e, e);
    }
    Path directory = file.toAbsolutePath().getParent();
    return new RouterConfigReader(file.toString(), directory == null ? Path.of("") : directory)
        .read(YamlTree.parse(yaml, file.toString()));
  }

  /**
   * Reads a configuration from YAML text. Relative paths in it start at the working directory.
   *
   * @param yaml the configuration's text
   * @param source a name for messages, e.g. the file name
   * @return the configuration
   * @throws RouterConfigException naming the key and line of the first problem
   */
  public static RouterConfig parse(String yaml, String source) {
    requireNonNull(yaml, "yaml is null");
    requireNonNull(source, "source is null");
    // Relative *_file paths start at the working directory: there is no file to start from.
    return new RouterConfigReader(source, Path.of("").toAbsolutePath())
        .read(YamlTree.parse(yaml, source));
  }

  /**
   * A duration as the file spells one, Prometheus's way ({@code 30s}, {@code 1m30s}, {@code
   * 500ms}); {@code null} when the text is not one. For command lines that take durations too.
   *
   * @param text the duration's text
   * @return the duration, or {@code null} if {@code text} is not one
   * @throws NullPointerException if {@code text} is null
   */
  public static java.time.Duration parseDuration(String text) {
    return RouterConfigReader.parseDuration(requireNonNull(text, "text is null"));
  }

  /**
   * The shard keys, in file order: the order in which shards' answers are concatenated.
   *
   * @return an immutable list
   */
  public List<String> shardKeys() {
    return List.copyOf(shards.keySet());
  }
}
