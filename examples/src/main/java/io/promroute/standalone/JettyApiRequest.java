package io.promroute.standalone;

import io.promroute.router.ApiRequest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * A Jetty request as the engine reads it. The body was read before the exchange started, without
 * holding a thread while it arrived ({@link FormBodyReader}), so {@link #body()} never blocks.
 */
final class JettyApiRequest implements ApiRequest {

  private static final byte[] NO_BODY = new byte[0];

  private final Request request;
  private volatile byte[] body = NO_BODY;

  JettyApiRequest(Request request) {
    this.request = request;
  }

  void body(byte[] bytes) {
    this.body = bytes;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String path() {
    // Not decoded, as the servlet API's request URI: the engine decodes a label name itself.
    return request.getHttpURI().getPath();
  }

  @Override
  public String query() {
    return request.getHttpURI().getQuery();
  }

  @Override
  public String contentType() {
    return request.getHeaders().get(HttpHeader.CONTENT_TYPE);
  }

  @Override
  public Collection<String> headerNames() {
    return request.getHeaders().getFieldNamesCollection();
  }

  @Override
  public List<String> headers(String name) {
    return request.getHeaders().getValuesList(name);
  }

  @Override
  public InputStream body() {
    return new ByteArrayInputStream(body);
  }
}
