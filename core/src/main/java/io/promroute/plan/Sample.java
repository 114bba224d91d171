package io.promroute.plan;

/** One element of an instant vector at one evaluation step. */
record Sample(Labels labels, double value) {}
