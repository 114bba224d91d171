package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FormValuesTest {

  @Test
  void aLargeBodysQueryIsDecodedAsFarAsTheLogShowsItTheSameAsDecodedWhole() {
    // Escapes of one to four bytes of UTF-8 and raw characters, cut anywhere.
    String query = ("sum(x{a=\"é€𝄞 b\"}) + " + "y").repeat(20_000);
    byte[] form =
        ("time=1&query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&x=2")
            .getBytes(StandardCharsets.US_ASCII);

    for (int max = 1; max < 60; max++) {
      String logged = FormValues.of(form, max, "query", "match[]").get(0);
      assertThat(logged.length()).isGreaterThan(max);
      assertThat(logged.substring(0, max)).isEqualTo(query.substring(0, max));
    }
    assertThat(FormValues.of(form, Integer.MAX_VALUE, "query")).containsExactly(query);
  }

  @Test
  void theFirstNamePresentGivesItsValuesAndAPairWithoutAValueIsEmpty() {
    byte[] form = "match%5B%5D=up&a&match[]=down&query".getBytes(StandardCharsets.US_ASCII);

    assertThat(FormValues.of(form, 100, "query", "match[]")).containsExactly("");
    assertThat(FormValues.of(form, 100, "match[]")).containsExactly("up", "down");
    assertThat(FormValues.of(form, 100, "nothing")).isEmpty();
  }
}
