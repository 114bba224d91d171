package io.promroute.api;

import java.io.IOException;

/**
 * A shard's HTTP 2xx answer that is not the Prometheus API answer its endpoint gives: a {@code
 * "status"} other than {@code "success"}, a {@code data} of the wrong kind, a {@code resultType}
 * the request cannot have, samples of another type than the result's. Such an answer is never
 * merged or relayed; it is an error of that shard. (JSON that does not parse fails with Jackson's
 * {@link com.fasterxml.jackson.core.JsonParseException} instead.)
 */
public final class MalformedAnswerException extends IOException {

  private static final long serialVersionUID = 1L;

  /**
   * @param problem what is wrong, worded to follow a shard's name: {@code answered
   *     "status":"error"}
   */
  public MalformedAnswerException(String problem) {
    super(problem);
  }
}
