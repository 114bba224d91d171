package io.promroute.standalone;

import io.promroute.router.ApiRequest;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * A Jetty request as the engine reads it. A form body was read into the exchange's buffer before
 * the exchange started, without holding a thread while it arrived ({@link FormBodyReader}), and the
 * engine parses it from there: it never reads {@link #body()}, which is empty.
 */
final class JettyApiRequest implements ApiRequest {

  private final Request request;

  JettyApiRequest(Request request) {
    this.request = request;
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
    return InputStream.nullInputStream();
  }
}
