package io.promroute.router;

import java.lang.management.ManagementFactory;

/**
 * What an array takes in the heap. With G1 (the JVM's default collector) an array of half a region
 * or more is humongous: it takes whole regions of its own, so that a request body of 1 MiB and a
 * few bytes takes 2 MiB in a heap under 2 GB (1 MiB regions), twice what it holds. Counting it at
 * its bytes alone would let bodies of that size fill the heap with half of it counted.
 */
final class HeapArrays {

  /** An array's header. */
  static final int HEADER_BYTES = 16;

  /** The G1 region size, or 0 when G1 is not the collector (or this JVM does not tell). */
  private static final long REGION_BYTES = g1RegionBytes();

  private HeapArrays() {}

  /** The G1 region size, or 0 when G1 is not the collector. */
  static long regionBytes() {
    return REGION_BYTES;
  }

  /**
   * The heap an array of {@code length} bytes takes: its header and its bytes, or the whole G1
   * regions it takes when it is humongous.
   */
  static long bytes(long length) {
    long bytes = HEADER_BYTES + length;
    if (REGION_BYTES > 0 && bytes >= REGION_BYTES / 2) {
      return (bytes + REGION_BYTES - 1) / REGION_BYTES * REGION_BYTES;
    }
    return bytes;
  }

  private static long g1RegionBytes() {
    try {
      com.sun.management.HotSpotDiagnosticMXBean hotSpot =
          ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      if (hotSpot == null || !Boolean.parseBoolean(hotSpot.getVMOption("UseG1GC").getValue())) {
        return 0;
      }
      return Long.parseLong(hotSpot.getVMOption("G1HeapRegionSize").getValue());
    } catch (RuntimeException | LinkageError notHotSpot) {
      return 0; // another JVM: arrays counted at their bytes
    }
  }
}
