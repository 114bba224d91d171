/**
 * What PromRoute knows about the Prometheus HTTP API, free of servlets: which {@link
 * io.promroute.api.Endpoint endpoints} carry PromQL, how Prometheus validates their parameters
 * ({@link io.promroute.api.ApiParameters}), its error envelope ({@link io.promroute.api.ApiError}),
 * and the streaming transformers that put the shard label back on answers and merge the answers of
 * several shards ({@link io.promroute.api.ResponseTransformer}).
 */
package io.promroute.api;
