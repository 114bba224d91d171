/**
 * The router engine: serves the Prometheus HTTP API over sharded Prometheus servers, with no
 * transport types. {@link io.promroute.router.Engine} holds the route table; {@code Router} maps a
 * request to a {@code Route} (what to do with one HTTP request: answer locally, or which shards to
 * ask and how their answers combine); {@link io.promroute.router.Exchange} sends a route's calls
 * through an {@link io.promroute.router.UpstreamClient} and writes the combined answer. A transport
 * adapts its request and response to {@link io.promroute.router.ApiRequest} and {@link
 * io.promroute.router.AsyncResponse} (the servlet filter in {@code io.promroute.servlet} does).
 * Below the exchange, {@link io.promroute.router.ReplicaClient} sends each request for a shard with
 * several replicas to one of them and fails over, as {@link io.promroute.router.ReplicaPolicy}
 * says; the exchange sees one answer per shard, as without replicas.
 *
 * <p>Internal API until the project's {@code module-info} lands: the public types here are public
 * for the adapters and the examples ({@link io.promroute.router.ShardTarget}, {@link
 * io.promroute.router.ReplicaPolicy} and the upstream client SPI are what users configure);
 * everything else may change without notice.
 */
package io.promroute.router;
