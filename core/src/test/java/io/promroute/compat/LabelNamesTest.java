package io.promroute.compat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelNamesTest {

  @Test
  void legacyLabelNamesAreBareAndOthersQuoted() {
    assertThat(LabelNames.isLegacy("job")).isTrue();
    assertThat(LabelNames.isLegacy("_0")).isTrue();
    assertThat(LabelNames.isLegacy("__name__")).isTrue();
    assertThat(LabelNames.isLegacy("0")).isFalse();
    assertThat(LabelNames.isLegacy("")).isFalse();
    assertThat(LabelNames.isLegacy("a.b")).isFalse();
    assertThat(LabelNames.isLegacy("a:b")).isFalse();
    assertThat(LabelNames.isLegacy("üüü")).isFalse();
  }

  @Test
  void printQuotesOnlyNamesOutsideTheLegacyRule() {
    assertThat(LabelNames.print("job")).isEqualTo("job");
    assertThat(LabelNames.print("a.b")).isEqualTo("\"a.b\"");
    assertThat(LabelNames.print("")).isEqualTo("\"\"");
  }
}
