/**
 * The PromQL front end: {@link io.promroute.promql.PromQL} parses and prints queries exactly as
 * Prometheus does.
 */
package io.promroute.promql;
