package io.promroute.servlet.it;

import java.time.Duration;

/**
 * Retries an assertion for a while: for what other threads do after the answer, e.g. the access log
 * and the request metrics, written when the container completes the request (which can be just
 * after the client has read the answer), or a replica's health, changed on the client's threads.
 */
public final class Eventually {

  private Eventually() {}

  /** An assertion that may throw. */
  public interface Check {
    void run() throws Exception;
  }

  public static void eventually(Check check) throws Exception {
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
