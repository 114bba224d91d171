package io.promroute.router;

import java.nio.charset.StandardCharsets;

/**
 * Where what a request's form body holds in memory is counted: the request's share of the router's
 * memory budget ({@code limits.max_memory}), from the body's first byte read until the request ends
 * (see {@link Exchange#bodyBuffer()}). Each copy made of the body (its bytes, the array they are
 * gathered into, the parameters decoded from them) is counted before it is made, at its real size,
 * and given back to the request's share when it is dropped: the share takes from the budget the
 * most the body held at once, and keeps it until the request ends. Nothing is counted twice.
 */
interface BodyMemory {

  /** Counts nothing: a URL's query, which the transport's header limit bounds. */
  BodyMemory NONE =
      new BodyMemory() {
        @Override
        public void reserve(long bytes) {}

        @Override
        public void release(long bytes) {}
      };

  /** A string object, besides its array. */
  long STRING_BYTES = 24;

  /**
   * Counts {@code bytes} more held.
   *
   * @throws io.promroute.api.ApiException 422 {@code execution} when the body alone needs more than
   *     the whole budget, 503 {@code unavailable} when other requests hold it
   */
  void reserve(long bytes);

  /** Counts {@code bytes} no longer held. */
  void release(long bytes);

  /**
   * The text of {@code length} bytes of UTF-8 at {@code from}, counted: decoding text that is not
   * ASCII, the JDK holds for a moment a buffer of two bytes a byte and its trimmed copy; then what
   * the string keeps stays counted.
   */
  default String text(byte[] bytes, int from, int length) {
    long decoding =
        STRING_BYTES
            + (isAscii(bytes, from, length)
                ? HeapArrays.bytes(length)
                : 2 * HeapArrays.bytes(2L * length));
    reserve(decoding);
    String text = new String(bytes, from, length, StandardCharsets.UTF_8);
    release(decoding - held(text));
    return text;
  }

  /**
   * What a string holds in the heap: one byte a character when every character is Latin-1 (the
   * JVM's compact strings), else two.
   */
  static long held(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) > 0xFF) {
        return STRING_BYTES + HeapArrays.bytes(2L * text.length());
      }
    }
    return STRING_BYTES + HeapArrays.bytes(text.length());
  }

  private static boolean isAscii(byte[] bytes, int from, int length) {
    for (int i = from; i < from + length; i++) {
      if (bytes[i] < 0) {
        return false;
      }
    }
    return true;
  }
}
