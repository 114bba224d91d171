package io.promroute.router;

import java.io.Closeable;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/** A shard's response whose body is still streaming. Close it to release the connection. */
public interface UpstreamResponse extends Closeable {

  int status();

  /** Response headers, names in lower case. */
  Map<String, List<String>> headers();

  /** The body, read as it arrives. */
  InputStream body();

  @Override
  void close();
}
