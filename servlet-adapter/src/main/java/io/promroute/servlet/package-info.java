/**
 * A Jakarta Servlet filter, {@link io.promroute.servlet.PromRouteFilter}, that serves the
 * Prometheus HTTP API over sharded Prometheus servers.
 */
package io.promroute.servlet;
