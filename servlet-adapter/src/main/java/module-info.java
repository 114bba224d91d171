/**
 * PromRoute's Jakarta Servlet 6 adapter: {@code PromRouteFilter} and the YAML configuration ({@code
 * RouterConfig}).
 */
module io.promroute.servlet {
  requires transitive io.promroute.core;
  requires transitive jakarta.servlet;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.dataformat.yaml;

  exports io.promroute.servlet;
}
