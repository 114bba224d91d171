package io.promroute.standalone;

/**
 * {@code http.listen_addr} in Go's form: {@code :9097} listens on every interface, {@code
 * 127.0.0.1:9097} or {@code [::1]:9097} on one.
 *
 * @param host the interface, or {@code null} for all
 * @param port the port; 0 picks a free one
 */
record ListenAddress(String host, int port) {

  static ListenAddress parse(String address) {
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("listen address \"" + address + "\" has no port");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new ListenAddress(
        host.isEmpty() ? null : host, Integer.parseInt(address.substring(colon + 1)));
  }
}
