package io.promroute.router;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A request's form body kept in memory as it arrives, each byte counted against the router's memory
 * budget ({@code limits.max_memory}) before it is kept: in blocks of 8 KiB, one byte a byte however
 * slowly the body comes (a buffer that doubles as it grows would hold up to three), then gathered
 * into one array of the body's size ({@link #bytes()}) that the engine parses without copying it
 * again. The engine keeps a body it reads in one; a transport that reads the body before the
 * exchange starts, without a thread waiting while it arrives, keeps it in the one {@link
 * Exchange#bodyBuffer()} gives it.
 *
 * <p>Used by one thread at a time.
 */
public final class BodyBytes {

  static final int BLOCK_BYTES = 8 << 10;

  private final int keep;
  private final BodyMemory memory;
  private final List<byte[]> blocks = new ArrayList<>();
  private int size;
  // Room left in the last block, and what the blocks are counted for.
  private int free;
  private long blockBytes;
  private byte[] gathered;

  BodyBytes(int keep, BodyMemory memory) {
    this.keep = keep;
    this.memory = memory;
  }

  /**
   * Keeps the bytes of {@code source}, as far as the limit this buffer was made with allows; the
   * rest stay in {@code source}, for the caller to drop.
   *
   * @param source the bytes that arrived, read up to what is kept
   * @throws io.promroute.api.ApiException when the budget has no room for them: 422 {@code
   *     execution} when the body alone needs more than the whole budget, 503 {@code unavailable}
   *     when other requests hold it
   * @throws IllegalStateException once {@link #bytes()} was called
   */
  public void add(ByteBuffer source) {
    if (gathered != null) {
      throw new IllegalStateException("the body was gathered already");
    }
    int length = Math.min(source.remaining(), keep - size);
    while (length > 0) {
      if (free == 0) {
        int block = Math.min(BLOCK_BYTES, keep - size);
        memory.reserve(HeapArrays.bytes(block)); // before the block exists
        blocks.add(new byte[block]);
        blockBytes += HeapArrays.bytes(block);
        free = block;
      }
      byte[] last = blocks.get(blocks.size() - 1);
      int taken = Math.min(free, length);
      source.get(last, last.length - free, taken);
      free -= taken;
      size += taken;
      length -= taken;
    }
  }

  /**
   * The bytes kept.
   *
   * @return at most the limit this buffer was made with
   */
  public int size() {
    return size;
  }

  /**
   * The body in one array of its size: gathered from the blocks the first time (the copy is counted
   * first, at what it takes in the heap: for a moment the body is held twice), the blocks then
   * dropped and given back to the request's share; later calls return the same array, which must
   * not be changed.
   *
   * @return the bytes kept
   * @throws io.promroute.api.ApiException when the budget has no room for the copy
   */
  public byte[] bytes() {
    if (gathered == null) {
      memory.reserve(HeapArrays.bytes(size));
      byte[] bytes = new byte[size];
      int at = 0;
      for (byte[] block : blocks) {
        int length = Math.min(block.length, size - at);
        System.arraycopy(block, 0, bytes, at, length);
        at += length;
      }
      blocks.clear();
      memory.release(blockBytes);
      blockBytes = 0;
      free = 0;
      gathered = bytes;
    }
    return gathered;
  }
}
