/**
 * The standalone router's command line, reload, metrics and access log ({@link
 * io.promroute.examples.StandaloneRouter}: an embedded Jetty serving the engine through {@code
 * io.promroute.standalone}'s handler, with health, readiness, reload and metrics endpoints; to
 * move to {@code io.promroute.standalone}), the demo's data generator
 * ({@link io.promroute.examples.DemoData}) and the usage examples
 * ({@link io.promroute.examples.ProgrammaticApiExample},
 * {@link io.promroute.examples.ServletContainerExample}). Not a library API: each class here is
 * run from the command line, and each is run by a test.
 */
package io.promroute.examples;
