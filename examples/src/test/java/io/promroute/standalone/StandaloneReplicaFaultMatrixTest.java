package io.promroute.standalone;

/**
 * {@link StandaloneFaultMatrixTest} with the sick shard an HA pair whose first replica is the sick
 * one, configured as prome-route.yml lists replicas.
 */
class StandaloneReplicaFaultMatrixTest extends StandaloneFaultMatrixTest {

  @Override
  protected boolean sickReplicaFirst() {
    return true;
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
