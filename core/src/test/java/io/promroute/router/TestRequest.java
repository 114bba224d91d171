package io.promroute.router;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/** A client's request: a GET with its URL query, or a POST of a form. */
record TestRequest(String method, String path, String query, String form) implements ApiRequest {

  static TestRequest get(String path, String query) {
    return new TestRequest("GET", path, query, null);
  }

  static TestRequest post(String path, String form) {
    return new TestRequest("POST", path, null, form);
  }

  @Override
  public String contentType() {
    return form == null ? null : "application/x-www-form-urlencoded";
  }

  @Override
  public Collection<String> headerNames() {
    return form == null ? List.of() : List.of("content-type");
  }

  @Override
  public List<String> headers(String name) {
    return form != null && name.equalsIgnoreCase("content-type")
        ? List.of(contentType())
        : List.of();
  }

  @Override
  public InputStream body() {
    return form == null
        ? InputStream.nullInputStream()
        : new ByteArrayInputStream(form.getBytes(StandardCharsets.UTF_8));
  }
}
