/**
 * Prometheus's own PromQL engine tests and a generated query set, run through the router over three
 * shards and compared with one Prometheus.
 *
 * <ul>
 *   <li>{@link io.promroute.servlet.it.promqltest.PromqlEngineTestsThroughRouterTest}: the 566
 *       evals of Prometheus v2.42.0's {@code promql/testdata/*.test} ({@code
 *       shared/conformance/promqltest}), read by {@link
 *       io.promroute.servlet.it.promqltest.TestScript}; per segment, four Prometheus servers and
 *       the router ({@link io.promroute.servlet.it.promqltest.SegmentServers}). Report: {@code
 *       target/promqltest-report.txt}; unreachable evals must be listed in {@code
 *       promqltest-known-gaps.txt}.
 *   <li>{@link io.promroute.servlet.it.promqltest.ShardedEquivalenceTest}: generated queries over
 *       the shared fixture, a router over one shard against the router over three.
 * </ul>
 */
package io.promroute.servlet.it.promqltest;
