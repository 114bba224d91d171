package io.promroute.servlet;

import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Breaks off a committed response so that the client sees a broken connection, never an answer that
 * ends normally. The Servlet API has no such call (completing a response cut short ends it
 * normally: a last chunk, or a connection closed after exactly what was written), so this asks the
 * containers we test with through their own API, found by reflection so that the filter depends on
 * none of them:
 *
 * <ul>
 *   <li>Jetty 12 (ee10): {@code ServletApiResponse.getServletChannel().abort(cause)}, which fails
 *       the HTTP stream: an HTTP/1.1 connection is closed without the last chunk.
 *   <li>Tomcat 10/11: the Coyote response's {@code action(CLOSE_NOW, cause)}, which stops every
 *       further write and closes the connection when the request completes.
 * </ul>
 *
 * Elsewhere the response is completed as it stands.
 */
final class ContainerAbort {

  private static final System.Logger LOG = System.getLogger(PromRouteFilter.class.getName());

  private ContainerAbort() {}

  /** Whether the container was told to break the response off. */
  static boolean abort(ServletResponse response, Throwable cause) {
    ServletResponse inner = response;
    while (inner instanceof ServletResponseWrapper wrapper) {
      inner = wrapper.getResponse();
    }
    try {
      return jetty(inner, cause) || tomcat(inner, cause);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.DEBUG, "cannot abort a response of " + inner.getClass().getName(), e);
      return false;
    }
  }

  private static boolean jetty(ServletResponse response, Throwable cause)
      throws ReflectiveOperationException {
    if (!response.getClass().getName().startsWith("org.eclipse.jetty.")) {
      return false;
    }
    Object channel = response.getClass().getMethod("getServletChannel").invoke(response);
    channel.getClass().getMethod("abort", Throwable.class).invoke(channel, cause);
    return true;
  }

  private static boolean tomcat(ServletResponse response, Throwable cause)
      throws ReflectiveOperationException {
    if (!response.getClass().getName().equals("org.apache.catalina.connector.ResponseFacade")) {
      return false;
    }
    Field field = response.getClass().getDeclaredField("response");
    field.setAccessible(true);
    Object connectorResponse = field.get(response);
    Object coyote =
        connectorResponse.getClass().getMethod("getCoyoteResponse").invoke(connectorResponse);
    ClassLoader loader = coyote.getClass().getClassLoader();
    Class<?> actionCode = Class.forName("org.apache.coyote.ActionCode", false, loader);
    Object closeNow = actionCode.getField("CLOSE_NOW").get(null);
    Method action = coyote.getClass().getMethod("action", actionCode, Object.class);
    action.invoke(coyote, closeNow, cause);
    return true;
  }
}
