package io.promroute.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParamsTest {

  @Test
  void pairsGoCannotReadAreDroppedAndTheOthersKept() {
    Params params = Params.of("time=1&x=%zz", "query=up%7Bjob%3D%22a%22%7D&y=%2&z;w=1&query=b+c");

    assertThat(params.all())
        .containsExactly(
            new Params.Param("query", "up{job=\"a\"}"),
            new Params.Param("query", "b c"),
            new Params.Param("time", "1"));
  }

  @Test
  void formErrorIsGoParseFormsFirstErrorBodyBeforeUrl() {
    assertThat(Params.of("a=%zz", "b=%2").formError()).isEqualTo("invalid URL escape \"%2\"");
    assertThat(Params.of("a=%zz", "b=1").formError()).isEqualTo("invalid URL escape \"%zz\"");
    assertThat(Params.of("%zzz=1", null).formError()).isEqualTo("invalid URL escape \"%zz\"");
    // Go's ParseQuery: a semicolon's error replaces an earlier escape error of the same string.
    assertThat(Params.of("a=%zz&b;c", null).formError())
        .isEqualTo("invalid semicolon separator in query");
    assertThat(Params.of("a=1&&b=%41", "").formError()).isNull();
    assertThat(Params.of("a=1&&b=%41", "").values("b")).isEqualTo(List.of("A"));
  }
}
