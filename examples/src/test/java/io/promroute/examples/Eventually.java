package io.promroute.examples;

import java.time.Duration;

/**
 * Retries an assertion for a while. The access log and the request metrics are written when the
 * container completes the request, which can be just after the client has read the answer.
 */
final class Eventually {

  private Eventually() {}

  interface Check {
    void run() throws Exception;
  }

  static void eventually(Check check) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
        Thread.sleep(20);
      }
    }
  }
}
