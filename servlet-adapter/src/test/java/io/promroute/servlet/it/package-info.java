/**
 * Integration tests against real Prometheus servers, and the fixture they share with the examples'
 * tests (this module's test-jar).
 *
 * <ul>
 *   <li>{@link io.promroute.servlet.it.PrometheusExtension} starts, once per JVM, three shard
 *       servers ({@code a}, {@code b}, {@code c}, series without the shard label) and a global
 *       server (every series with {@code cluster="<shard>"}): the oracle. Data: {@link
 *       io.promroute.servlet.it.FixtureData}, loaded with {@code promtool tsdb create-blocks-from
 *       openmetrics}. Without {@code prometheus}/{@code promtool} the tests are skipped, and fail
 *       when {@code CI=true}.
 *   <li>{@link io.promroute.servlet.it.JettyRouter} runs a filter in Jetty 12; {@link
 *       io.promroute.servlet.it.PromApi} sends the same request to the router and to the global
 *       server and compares the parsed answers.
 *   <li>{@link io.promroute.servlet.it.FakeShards}: a shard that is down, one that hangs, one that
 *       counts requests.
 * </ul>
 *
 * <p>Names end in {@code Test} so that surefire runs them with the unit tests (failsafe is not
 * configured); the whole package runs in well under a minute.
 */
package io.promroute.servlet.it;
