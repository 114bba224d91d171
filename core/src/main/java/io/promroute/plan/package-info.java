/**
 * Cross-shard query plans: {@link io.promroute.plan.QueryPlanner} turns a routed query into a
 * {@link io.promroute.plan.QueryPlan} of shard queries and router computations whose answer equals
 * one Prometheus holding every shard's series.
 */
package io.promroute.plan;
