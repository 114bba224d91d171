package io.promroute.compat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The expected strings are what Go prints for the same values. */
class GoFormatTest {

  @Test
  void formatFloatPrintsShortestDigitsWithoutExponent() {
    assertThat(GoFormat.formatFloat(1)).isEqualTo("1");
    assertThat(GoFormat.formatFloat(1048576)).isEqualTo("1048576");
    assertThat(GoFormat.formatFloat(0.5)).isEqualTo("0.5");
    assertThat(GoFormat.formatFloat(123.4567)).isEqualTo("123.4567");
    assertThat(GoFormat.formatFloat(5e-3)).isEqualTo("0.005");
    assertThat(GoFormat.formatFloat(-0.0055)).isEqualTo("-0.0055");
    assertThat(GoFormat.formatFloat(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    assertThat(GoFormat.formatFloat(1e21)).isEqualTo("1000000000000000000000");
    assertThat(GoFormat.formatFloat(1e300)).isEqualTo("1" + "0".repeat(300));
    assertThat(GoFormat.formatFloat(5e-324)).isEqualTo("0." + "0".repeat(323) + "5");
    assertThat(GoFormat.formatFloat(Math.pow(2, 60))).isEqualTo("1152921504606847000");
    assertThat(GoFormat.formatFloat(Double.MAX_VALUE))
        .isEqualTo("17976931348623157" + "0".repeat(292));
  }

  @Test
  void formatFloatIsShorterThanJdk17DoubleToStringWhereThatIsNotShortest() {
    // JDK 17 prints 2.82879384806159008E17 (JDK-4511638); Go's shortest form has 15 digits.
    double value = 2.82879384806159E17;
    assertThat(GoFormat.formatFloat(value)).isEqualTo("282879384806159000");
    assertThat(Double.parseDouble(GoFormat.formatFloat(value))).isEqualTo(value);
  }

  @Test
  void formatFloatSpellsSpecialValuesAsGo() {
    assertThat(GoFormat.formatFloat(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(GoFormat.formatFloat(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    assertThat(GoFormat.formatFloat(Double.NaN)).isEqualTo("NaN");
    assertThat(GoFormat.formatFloat(0.0)).isEqualTo("0");
    assertThat(GoFormat.formatFloat(-0.0)).isEqualTo("-0");
  }

  @Test
  void formatFloatReadsBackForManyValues() {
    java.util.Random random = new java.util.Random(42);
    for (int index = 0; index < 20_000; index++) {
      double value = Double.longBitsToDouble(random.nextLong());
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        continue;
      }
      String printed = GoFormat.formatFloat(value);
      assertThat(printed).doesNotContain("E").doesNotContain("e");
      assertThat(Double.parseDouble(printed)).as(printed).isEqualTo(value);
    }
  }

  @Test
  void fastRouteForShortDecimalsAgreesWithTheExactRoute() {
    java.util.Random random = new java.util.Random(7);
    for (int index = 0; index < 50_000; index++) {
      double value =
          switch (index % 3) {
            case 0 -> random.nextInt(1_000_000) / Math.pow(10, random.nextInt(12));
            case 1 -> Math.scalb(random.nextDouble(), random.nextInt(60) - 20);
            default -> -random.nextDouble() * 1000;
          };
      assertThat(GoFormat.formatFloat(value))
          .as("%s", value)
          .isEqualTo(GoFormat.formatFloatExactly(value));
    }
    assertThat(GoFormat.formatFloat(0.99)).isEqualTo("0.99");
    assertThat(GoFormat.formatFloat(0.00001)).isEqualTo("0.00001");
    assertThat(GoFormat.formatFloat(-123.456)).isEqualTo("-123.456");
  }

  @Test
  void shortestGUsesExponentBelowMinusFourAndFromSix() {
    assertThat(GoFormat.formatFloatShortestG(1048576)).isEqualTo("1.048576e+06");
    assertThat(GoFormat.formatFloatShortestG(1e6)).isEqualTo("1e+06");
    assertThat(GoFormat.formatFloatShortestG(100000)).isEqualTo("100000");
    assertThat(GoFormat.formatFloatShortestG(123456.7)).isEqualTo("123456.7");
    assertThat(GoFormat.formatFloatShortestG(0.0001)).isEqualTo("0.0001");
    assertThat(GoFormat.formatFloatShortestG(0.00001)).isEqualTo("1e-05");
    assertThat(GoFormat.formatFloatShortestG(1.5e-7)).isEqualTo("1.5e-07");
    assertThat(GoFormat.formatFloatShortestG(-23)).isEqualTo("-23");
    assertThat(GoFormat.formatFloatShortestG(1e100)).isEqualTo("1e+100");
    assertThat(GoFormat.formatFloatShortestG(-2.5e-300)).isEqualTo("-2.5e-300");
    assertThat(GoFormat.formatFloatShortestG(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(GoFormat.formatFloatShortestG(Double.NaN)).isEqualTo("NaN");
  }

  @Test
  void durationUsesYearsAndWeeksOnlyWhenExact() {
    assertThat(GoFormat.formatDuration(0)).isEqualTo("0s");
    assertThat(GoFormat.formatDuration(5 * 60_000)).isEqualTo("5m");
    assertThat(GoFormat.formatDuration(90 * 60_000)).isEqualTo("1h30m");
    assertThat(GoFormat.formatDuration(1500)).isEqualTo("1s500ms");
    assertThat(GoFormat.formatDuration(14 * 86_400_000L)).isEqualTo("2w");
    assertThat(GoFormat.formatDuration(90 * 86_400_000L)).isEqualTo("90d");
    assertThat(GoFormat.formatDuration(365 * 86_400_000L)).isEqualTo("1y");
    assertThat(GoFormat.formatDuration(366 * 86_400_000L)).isEqualTo("366d");
    assertThat(GoFormat.formatDuration(2 * 365 * 86_400_000L)).isEqualTo("2y");
    assertThat(GoFormat.formatDuration(86_400_000L + 3_600_000 + 1)).isEqualTo("1d1h1ms");
    assertThat(GoFormat.formatDuration(-7 * 60_000)).isEqualTo("-7m");
  }

  @Test
  void timestampHasThreeDecimals() {
    StringBuilder out = new StringBuilder();
    GoFormat.appendTimestamp(out, 10_000);
    out.append(' ');
    GoFormat.appendTimestamp(out, 1);
    out.append(' ');
    GoFormat.appendTimestamp(out, -1500);
    out.append(' ');
    GoFormat.appendTimestamp(out, 0);
    out.append(' ');
    GoFormat.appendTimestamp(out, 1_609_746_000_123L);
    out.append(' ');
    // float64(9223372036854775807) / 1000 is 9223372036854775.808 rounded to a double.
    GoFormat.appendTimestamp(out, Long.MAX_VALUE);
    assertThat(out.toString())
        .isEqualTo("10.000 0.001 -1.500 0.000 1609746000.123 9223372036854776.000");
  }

  @Test
  void utf8LengthCountsBytes() {
    assertThat(GoFormat.utf8Length("abc")).isEqualTo(3);
    assertThat(GoFormat.utf8Length("ü")).isEqualTo(2);
    assertThat(GoFormat.utf8Length("日")).isEqualTo(3);
    assertThat(GoFormat.utf8Length("😀")).isEqualTo(4);
  }

  @Test
  void trimSpaceTrimsGoWhiteSpaceOnly() {
    assertThat(GoFormat.trimSpace("  \n\tx y\u00a0")).isEqualTo("x y");
    assertThat(GoFormat.trimSpace("\u200bx")).isEqualTo("\u200bx");
  }
}
