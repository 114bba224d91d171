/**
 * The usage examples ({@link io.promroute.examples.ProgrammaticApiExample}, {@link
 * io.promroute.examples.ServletContainerExample}) and the demo's data generator ({@link
 * io.promroute.examples.DemoData}). Not a library API: each class here is run from the command
 * line, and each is run by a test. The standalone router is a product, in {@code
 * io.promroute.standalone}.
 */
package io.promroute.examples;
