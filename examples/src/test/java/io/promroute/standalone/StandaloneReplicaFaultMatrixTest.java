package io.promroute.standalone;

import io.promroute.servlet.it.FaultyShard.Fault;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link StandaloneFaultMatrixTest} with the sick shard an HA pair whose first replica is the sick
 * one, configured as prome-route.yml lists replicas.
 */
class StandaloneReplicaFaultMatrixTest extends StandaloneFaultMatrixTest {

  @Override
  protected boolean sickReplicaFirst() {
    return true;
  }

  @ParameterizedTest
  @EnumSource(
      value = Fault.class,
      names = {"RESET_MID_CHUNKED", "TRUNCATED_CHUNKED", "HANG_MID_CHUNKED"})
  void anAnswerReadWholeWhoseFirstReplicaBreaksMidBodyComesWholeFromTheSecond(Fault fault)
      throws Exception {
    assertAnAnswerReadWholeComesWholeFromTheSecondReplica(fault);
  }

  /** A shard with replicas is a YAML list of addresses, in the order they are asked. */
  @Override
  String addresses(String hostPorts) {
    return "[" + String.join(", ", hostPorts.split(",")) + "]";
  }

  /** A back-off of a millisecond: the sick replica is asked first by every request it can be. */
  @Override
  String moreUpstreamYaml() {
    return "  replicas: {first_byte_timeout: "
        + FIRST_BYTE_TIMEOUT.toMillis()
        + "ms, backoff: 1ms}\n";
  }
}
