package io.promroute.router;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A shard's response body that tells its read failures apart from the client's write failures: a
 * lost shard connection is the shard's fault (502), a lost client is nobody's to answer.
 */
final class ShardBody extends FilterInputStream {

  /** Reading a shard's answer failed. */
  static final class ReadException extends IOException {
    private static final long serialVersionUID = 1L;
    final String shard;

    ReadException(String shard, IOException cause) {
      super("reading the answer of shard \"" + shard + "\" failed", cause);
      this.shard = shard;
    }
  }

  private final String shard;

  ShardBody(String shard, InputStream in) {
    super(in);
    this.shard = shard;
  }

  @Override
  public int read() throws IOException {
    try {
      return super.read();
    } catch (IOException e) {
      throw new ReadException(shard, e);
    }
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    try {
      return super.read(buffer, offset, length);
    } catch (IOException e) {
      throw new ReadException(shard, e);
    }
  }
}
