package io.promroute.compat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoStringsTest {

  @Test
  void comparesByCodePointLikeGoComparesUtf8Bytes() {
    String supplementary = "😀";
    assertThat(supplementary.compareTo("\uffff")).isNegative();
    assertThat(GoStrings.compare(supplementary, "\uffff")).isPositive();
    assertThat(GoStrings.compare("a", "ab")).isNegative();
    assertThat(GoStrings.compare("ab", "ab")).isZero();
    assertThat(GoStrings.compare("b", "ab")).isPositive();
  }
}
