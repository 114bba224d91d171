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

  /**
   * The method.
   *
   * @return e.g. {@code GET}, as sent
   */
  String method();

  /**
   * The path below the transport's mount point (a servlet's context path), not decoded.
   *
   * @return e.g. {@code /api/v1/query}, with the engine's path prefix if one is configured
   */
  String path();

  /**
   * The raw URL query string, not decoded.
   *
   * @return the text after {@code ?}, or {@code null} if the URL has none
   */
  String query();

  /**
   * The {@code Content-Type} header: a POST's parameters are read from its body only when it is a
   * form ({@code application/x-www-form-urlencoded} or {@code multipart/form-data}), as Prometheus
   * does.
   *
   * @return the header's value, parameters included, or {@code null}
   */
  String contentType();

  /**
   * The names of the request's headers.
   *
   * @return the names, in any case
   */
  Collection<String> headerNames();

  /**
   * Every value of header {@code name}, in order.
   *
   * @param name the header name, matched case-insensitively
   * @return the values, empty if the request has no such header
   */
  List<String> headers(String name);

  /**
   * The body, read once, as it arrives; not read when the transport kept the body in the exchange's
   * buffer ({@link Exchange#bodyBuffer()}) before the exchange started.
   *
   * @return the body's stream, which the engine closes
   * @throws IOException if the body cannot be read (the client is gone)
   */
  InputStream body() throws IOException;
}
