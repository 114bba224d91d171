/**
 * The standalone router as a product ({@link io.promroute.standalone.StandaloneRouter}, its command
 * line): the Prometheus API served by the engine of {@code io.promroute.router} through Jetty 12's
 * own handler API, with no servlet layer on the request path, and the container limits Prometheus
 * clients expect (URLs and headers up to 1 MiB, errors in Prometheus's JSON, request bodies read
 * without holding a thread); Jetty's HTTP client to the shards; reload, health and readiness, the
 * router's metrics and its access log.
 */
package io.promroute.standalone;
