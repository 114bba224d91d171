package io.promroute.servlet;

import io.promroute.router.ApiRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** An {@link HttpServletRequest} as the engine reads it: the path below the context path. */
final class ServletApiRequest implements ApiRequest {

  private final HttpServletRequest request;
  private final String path;

  ServletApiRequest(HttpServletRequest request, String path) {
    this.request = request;
    this.path = path;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String query() {
    return request.getQueryString();
  }

  @Override
  public String contentType() {
    return request.getContentType();
  }

  @Override
  public Collection<String> headerNames() {
    return Collections.list(request.getHeaderNames());
  }

  @Override
  public List<String> headers(String name) {
    return Collections.list(request.getHeaders(name));
  }

  @Override
  public InputStream body() throws IOException {
    return request.getInputStream();
  }
}
