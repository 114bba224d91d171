package io.promroute.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.api.ApiException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a form body holds is counted once, at its real size, before it is made: its bytes as they
 * arrive, the one array they are gathered into, the parameters decoded from it; what is dropped is
 * given back, so that the most counted at once is the most held at once.
 */
class BodyMemoryTest {

  /** Counts what it is told, and the most at once; refuses beyond {@code limit}. */
  private static final class Counter implements BodyMemory {
    private final long limit;
    long held;
    long peak;

    Counter(long limit) {
      this.limit = limit;
    }

    @Override
    public void reserve(long bytes) {
      if (held + bytes > limit) {
        throw new ApiException(new io.promroute.api.ApiError(422, "execution", "over " + limit));
      }
      held += bytes;
      peak = Math.max(peak, held);
    }

    @Override
    public void release(long bytes) {
      held -= bytes;
      assertThat(held).as("never more given back than was counted").isNotNegative();
    }
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void aBodyTrickledByteByByteIsCountedAtItsSizeThenAtTheArrayItIsGatheredInto() {
    Counter memory = new Counter(Long.MAX_VALUE);
    BodyBytes body = new BodyBytes(1 << 20, memory);
    byte[] form = ascii("query=" + "x".repeat(99_994));
    for (byte b : form) {
      body.add(ByteBuffer.wrap(new byte[] {b}));
    }
    long whileRead = memory.held;

    byte[] gathered = body.bytes();

    assertThat(gathered).isEqualTo(form);
    assertThat(body.bytes()).isSameAs(gathered);
    // One byte a byte in 8 KiB blocks (with their headers), not a buffer that doubles.
    assertThat(whileRead).isBetween(100_000L, 100_000L + BodyBytes.BLOCK_BYTES + 13 * 16);
    // Gathered: the array alone, after both for a moment.
    assertThat(memory.held).isEqualTo(HeapArrays.bytes(100_000));
    assertThat(memory.peak).isEqualTo(whileRead + memory.held);
  }

  @Test
  void bytesBeyondTheLimitStayInTheSourceForTheCallerToDrop() {
    BodyBytes body = new BodyBytes(10, new Counter(Long.MAX_VALUE));
    ByteBuffer source = ByteBuffer.wrap(ascii("query=up&time=1"));

    body.add(source);

    assertThat(body.size()).isEqualTo(10);
    assertThat(source.remaining()).isEqualTo(5);
    assertThat(new String(body.bytes(), StandardCharsets.US_ASCII)).isEqualTo("query=up&t");
  }

  @Test
  void aBodyTheBudgetCannotHoldIsRefusedBeforeItsBytesAreKept() {
    Counter memory = new Counter(20_000);
    BodyBytes body = new BodyBytes(1 << 20, memory);

    assertThatThrownBy(() -> body.add(ByteBuffer.wrap(new byte[30_000])))
        .isInstanceOf(ApiException.class);
    assertThat(memory.held).isLessThanOrEqualTo(20_000);
  }

  @Test
  void aFormIsDecodedFromItsBytesAndItsParametersCountedAtWhatTheyHold() {
    String value = "up # " + "x".repeat(100_000);
    byte[] form = ascii("query=up%20%23%20" + "x".repeat(100_000) + "&time=1");
    Counter memory = new Counter(Long.MAX_VALUE);

    Params params = Params.of(null, form, memory);

    assertThat(params.all())
        .containsExactly(new Params.Param("query", value), new Params.Param("time", "1"));
    // Kept: the texts (one byte a Latin-1 character) and the pairs.
    long kept =
        BodyMemory.held("query")
            + BodyMemory.held(value)
            + BodyMemory.held("time")
            + BodyMemory.held("1")
            + 2 * Params.PARAM_BYTES;
    assertThat(memory.held).isEqualTo(kept);
    // For a moment, the value's unescaped bytes beside its text: never the whole body's text and
    // its pairs besides.
    assertThat(memory.peak).isLessThan(kept + value.length() + 100);
  }

  @Test
  void textBeyondLatin1IsCountedAtTwoBytesACharacterAndItsDecodingAtFourAByte() {
    String value = "€".repeat(1000) + "x".repeat(1000);
    byte[] form = ("q=" + value).getBytes(StandardCharsets.UTF_8);
    Counter memory = new Counter(Long.MAX_VALUE);

    Params params = Params.of(null, form, memory);

    assertThat(params.first("q")).isEqualTo(value);
    assertThat(BodyMemory.held(value))
        .isEqualTo(BodyMemory.STRING_BYTES + HeapArrays.HEADER_BYTES + 2 * 2000);
    assertThat(memory.held)
        .isEqualTo(BodyMemory.held("q") + BodyMemory.held(value) + Params.PARAM_BYTES);
    assertThat(memory.peak).isGreaterThanOrEqualTo(memory.held - BodyMemory.held(value) + 4 * 4000);
  }

  @Test
  void escapesAndRawBytesTogetherAreReadAsGoReadsThemOneUtf8Text() {
    // %C3 then the raw byte A9: Go unescapes to the bytes C3 A9, which are "é".
    byte[] form = {'a', '=', '%', 'C', '3', (byte) 0xA9, '+', 'b', '&', 'c', '=', '%', '2', 'B'};

    Params params = Params.of(null, form, BodyMemory.NONE);

    assertThat(params.all())
        .containsExactly(new Params.Param("a", "é b"), new Params.Param("c", "+"));
  }

  @Test
  void multipartValuesAreCountedAtWhatTheyHold() {
    String value = "x".repeat(50_000);
    byte[] body =
        ("--b\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n" + value + "\r\n--b--\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    Counter memory = new Counter(Long.MAX_VALUE);

    List<Params.Param> values =
        MultipartForm.values("multipart/form-data; boundary=b", body, memory);

    assertThat(values).containsExactly(new Params.Param("query", value));
    assertThat(memory.held).isGreaterThanOrEqualTo(BodyMemory.held(value) + Params.PARAM_BYTES);
    assertThat(memory.held).isLessThan(BodyMemory.held(value) + Params.PARAM_BYTES + 500);
  }

  @Test
  void anArrayOfHalfAG1RegionOrMoreIsCountedAtTheWholeRegionsItTakes() {
    long region = HeapArrays.regionBytes();
    assertThat(HeapArrays.bytes(1000)).isEqualTo(1016);
    if (region > 0) { // G1, the default collector
      assertThat(HeapArrays.bytes(region / 2 - 17)).isEqualTo(region / 2 - 1);
      assertThat(HeapArrays.bytes(region / 2)).isEqualTo(region);
      assertThat(HeapArrays.bytes(region)).isEqualTo(2 * region);
    }
  }
}
