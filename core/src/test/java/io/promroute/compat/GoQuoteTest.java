package io.promroute.compat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The expected strings are what Go 1.21 prints for the same values. */
class GoQuoteTest {

  @Test
  void quoteEscapesAsGoStrconvQuote() {
    assertThat(GoQuote.quote("plain")).isEqualTo("\"plain\"");
    assertThat(GoQuote.quote("a\"b\\c'`")).isEqualTo("\"a\\\"b\\\\c'`\"");
    assertThat(GoQuote.quote("\u0007\b\f\n\r\t\u000b")).isEqualTo("\"\\a\\b\\f\\n\\r\\t\\v\"");
    assertThat(GoQuote.quote("\u0000\u001f\u007f")).isEqualTo("\"\\x00\\x1f\\x7f\"");
    assertThat(GoQuote.quote("\u0085\u00a0\u200b")).isEqualTo("\"\\u0085\\u00a0\\u200b\"");
    assertThat(GoQuote.quote("üäö日本")).isEqualTo("\"üäö日本\"");
    assertThat(GoQuote.quote("😀")).isEqualTo("\"😀\"");
    assertThat(GoQuote.quote(new String(Character.toChars(0xE0001)))).isEqualTo("\"\\U000e0001\"");
    assertThat(GoQuote.quote("\ud800")).isEqualTo("\"\\ufffd\"");
  }

  @Test
  void quoteEscapesEverySpaceButTheAsciiSpaceAsStrconvIsPrintDoes() {
    // strconv.Quote("\u00a0\u2028\u3000 \u1680") == `"\u00a0\u2028\u3000 \u1680"`
    assertThat(GoQuote.quote("\u00a0\u2028\u3000 \u1680"))
        .isEqualTo("\"\\u00a0\\u2028\\u3000 \\u1680\"");
  }

  @Test
  void quoteEscapesFormatPrivateUseAndUnassignedCharacters() {
    // strconv.Quote("\u00ad\ufeff\ue000\U0010ffff") keeps none of them.
    assertThat(GoQuote.quote("\u00ad\ufeff\ue000" + new String(Character.toChars(0x10FFFF))))
        .isEqualTo("\"\\u00ad\\ufeff\\ue000\\U0010ffff\"");
  }

  @Test
  void quoteKeepsCombiningMarksSymbolsAndPunctuation() {
    // strconv.Quote("e\u0301 \u263a \u20ac \u00ab\u00bb") keeps them all.
    assertThat(GoQuote.quote("e\u0301 \u263a \u20ac \u00ab\u00bb"))
        .isEqualTo("\"e\u0301 \u263a \u20ac \u00ab\u00bb\"");
  }

  @Test
  void quoteRuneEscapesTheSingleQuoteButNotTheDoubleQuote() {
    assertThat(GoQuote.quoteRune('\'')).isEqualTo("'\\''");
    assertThat(GoQuote.quoteRune('"')).isEqualTo("'\"'");
    assertThat(GoQuote.quoteRune('\n')).isEqualTo("'\\n'");
    assertThat(GoQuote.quoteRune(0xa0)).isEqualTo("'\\u00a0'");
    // Not Go's raw U+FFFD: the deliberate deviation of quote (shards must parse what we print).
    assertThat(GoQuote.quoteRune(-1)).isEqualTo("'\\ufffd'");
  }

  @Test
  void unicodeNotationShowsOnlyPrintableCharacters() {
    assertThat(GoQuote.unicodeNotation('c')).isEqualTo("U+0063 'c'");
    assertThat(GoQuote.unicodeNotation('\n')).isEqualTo("U+000A");
    assertThat(GoQuote.unicodeNotation(0xa0)).isEqualTo("U+00A0");
    assertThat(GoQuote.unicodeNotation(0x1F600)).isEqualTo("U+1F600 '\ud83d\ude00'");
  }
}
