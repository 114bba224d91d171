package io.promroute.compat;

/**
 * XXH64 with seed 0, as Go's {@code github.com/cespare/xxhash/v2} {@code Sum64} computes it:
 * Prometheus hashes label sets with it. Written from the published XXH64 specification.
 */
public final class XxHash64 {

  private static final long PRIME1 = 0x9E3779B185EBCA87L;
  private static final long PRIME2 = 0xC2B2AE3D27D4EB4FL;
  private static final long PRIME3 = 0x165667B19E3779F9L;
  private static final long PRIME4 = 0x85EBCA77C2B2AE63L;
  private static final long PRIME5 = 0x27D4EB2F165667C5L;

  private XxHash64() {}

  /** The 64-bit hash of {@code data}; Java's signed long holds Go's uint64 bits. */
  public static long hash(byte[] data) {
    int length = data.length;
    int index = 0;
    long hash;
    if (length >= 32) {
      long v1 = PRIME1 + PRIME2;
      long v2 = PRIME2;
      long v3 = 0;
      long v4 = -PRIME1;
      for (; index + 32 <= length; index += 32) {
        v1 = round(v1, readLong(data, index));
        v2 = round(v2, readLong(data, index + 8));
        v3 = round(v3, readLong(data, index + 16));
        v4 = round(v4, readLong(data, index + 24));
      }
      hash =
          Long.rotateLeft(v1, 1)
              + Long.rotateLeft(v2, 7)
              + Long.rotateLeft(v3, 12)
              + Long.rotateLeft(v4, 18);
      hash = merge(hash, v1);
      hash = merge(hash, v2);
      hash = merge(hash, v3);
      hash = merge(hash, v4);
    } else {
      hash = PRIME5;
    }
    hash += length;
    for (; index + 8 <= length; index += 8) {
      hash ^= round(0, readLong(data, index));
      hash = Long.rotateLeft(hash, 27) * PRIME1 + PRIME4;
    }
    if (index + 4 <= length) {
      hash ^= (readInt(data, index) & 0xFFFFFFFFL) * PRIME1;
      hash = Long.rotateLeft(hash, 23) * PRIME2 + PRIME3;
      index += 4;
    }
    for (; index < length; index++) {
      hash ^= (data[index] & 0xFFL) * PRIME5;
      hash = Long.rotateLeft(hash, 11) * PRIME1;
    }
    hash ^= hash >>> 33;
    hash *= PRIME2;
    hash ^= hash >>> 29;
    hash *= PRIME3;
    hash ^= hash >>> 32;
    return hash;
  }

  private static long round(long accumulator, long input) {
    return Long.rotateLeft(accumulator + input * PRIME2, 31) * PRIME1;
  }

  private static long merge(long hash, long value) {
    return (hash ^ round(0, value)) * PRIME1 + PRIME4;
  }

  private static long readLong(byte[] data, int index) {
    return (readInt(data, index) & 0xFFFFFFFFL) | ((long) readInt(data, index + 4) << 32);
  }

  private static int readInt(byte[] data, int index) {
    return (data[index] & 0xFF)
        | (data[index + 1] & 0xFF) << 8
        | (data[index + 2] & 0xFF) << 16
        | (data[index + 3] & 0xFF) << 24;
  }
}
