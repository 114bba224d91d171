package io.promroute.servlet;

import io.promroute.router.Engine;
import io.promroute.standalone.ApiHandler;
import io.promroute.standalone.PrometheusErrorHandler;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Every endpoint test of the servlet filter, run through the standalone router's Jetty handler
 * instead: the two transports of one engine must answer alike. (In the filter's package, to reuse
 * its package-private test fixture.)
 */
class ApiHandlerEndpointsTest extends PromRouteFilterTest {

  @Override
  void serve(PromRouteFilter.Builder builder) throws Exception {
    Engine engine = builder.buildEngine();
    closeables.add(engine::shutdown);
    router = new Server();
    ServerConnector connector = new ServerConnector(router);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    router.addConnector(connector);
    Handler application = new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        Content.Sink.write(response, true, "application:" + request.getHttpURI().getPath(), callback);
        return true;
      }
    };
    router.setHandler(new ApiHandler(() -> engine, (request, start) -> start.run(), application));
    router.setErrorHandler(new PrometheusErrorHandler());
    router.start();
  }

  /** Not this transport's: web.xml configures the servlet filter. */
  @Override
  void webXmlStyleFilterReadsTheYamlFileNamedByItsInitParam(java.nio.file.Path directory) {}
}
