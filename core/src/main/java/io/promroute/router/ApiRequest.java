package io.promroute.router;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;

/**
 * One HTTP request as the {@link Engine} reads it. A transport (the servlet filter, a server's own
 * handler) adapts its request to this; the engine needs nothing else from it.
 */
public interface ApiRequest {

  /** The method, e.g. {@code GET}. */
  String method();

  /** The path below the transport's mount point (a servlet's context path), not decoded: {@code /api/v1/query}. */
  String path();

  /** The raw URL query string, not decoded, or {@code null}. */
  String query();

  /** The {@code Content-Type} header, or {@code null}. */
  String contentType();

  /** The names of the request's headers. */
  Collection<String> headerNames();

  /** Every value of header {@code name} (case-insensitive), in order; empty if none. */
  List<String> headers(String name);

  /** The body, read once, as it arrives. */
  InputStream body() throws IOException;
}
