package io.promroute.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** XXH64 (seed 0) against the reference implementation's published digests. */
class XxHash64Test {

  @ParameterizedTest(name = "\"{0}\"")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ''                                      | ef46db3751d8e999
          a                                       | d24ec4f1a98c6e5b
          abc                                     | 44bc2cf5ad770999
          Nobody inspects the spammish repetition | fbcea83c8a378bf1
          """)
  void hashesAsTheReferenceImplementation(String text, String hex) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);

    assertThat(Long.toHexString(XxHash64.hash(data))).isEqualTo(hex);
  }

  @ParameterizedTest(name = "{0} bytes")
  @CsvSource({"31", "32", "33", "39", "64", "100"})
  void everyTailLengthAfterTheStripesIsHashedAndChangesTheDigest(int length) {
    byte[] data = new byte[length];
    for (int i = 0; i < length; i++) {
      data[i] = (byte) (i * 31 + 7);
    }
    byte[] changed = data.clone();
    changed[length - 1] ^= 1;

    assertThat(XxHash64.hash(data)).isNotEqualTo(XxHash64.hash(changed));
  }
}
