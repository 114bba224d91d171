package io.promroute.plan;

import io.promroute.compat.GoStrings;
import java.util.ArrayList;
import java.util.List;

/**
 * The "natural" order Prometheus 3's {@code sort_by_label} compares label values in: its dependency
 * {@code github.com/facette/natsort} at the version Prometheus pins (2cd4dd1, 2018-12-10). Each
 * string is cut into runs of ASCII digits and runs of anything else; runs are compared pairwise, as
 * integers where both parse as Go {@code int} (else as strings). Its quirks are kept: a string
 * whose last run equals the other's same run precedes it, even when both are equal (Prometheus
 * compares equal values before asking), and a string with fewer runs than the other, all equal so
 * far, does not precede it unless it ends first.
 */
final class NaturalOrder {

  private NaturalOrder() {}

  /** natsort.Compare: whether {@code a} precedes {@code b}. */
  static boolean precedes(String a, String b) {
    List<String> chunksA = chunks(a);
    List<String> chunksB = chunks(b);
    int countA = chunksA.size();
    int countB = chunksB.size();
    for (int i = 0; i < countA; i++) {
      if (i >= countB) {
        return false;
      }
      String chunkA = chunksA.get(i);
      String chunkB = chunksB.get(i);
      Long intA = integer(chunkA);
      Long intB = integer(chunkB);
      boolean equal;
      if (intA != null && intB != null) {
        if (!intA.equals(intB)) {
          return intA < intB;
        }
        equal = true;
      } else {
        equal = chunkA.equals(chunkB);
        if (!equal) {
          return GoStrings.compare(chunkA, chunkB) < 0;
        }
      }
      if (i == countA - 1) {
        return true;
      }
      if (i == countB - 1) {
        return false;
      }
    }
    return false;
  }

  /** Go's regexp {@code (\d+|\D+)}: maximal runs of ASCII digits and of other characters. */
  private static List<String> chunks(String text) {
    List<String> chunks = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= text.length(); i++) {
      if (i == text.length() || isDigit(text.charAt(i)) != isDigit(text.charAt(i - 1))) {
        chunks.add(text.substring(start, i));
        start = i;
      }
    }
    return chunks;
  }

  private static boolean isDigit(char character) {
    return character >= '0' && character <= '9';
  }

  /** strconv.Atoi of a run: its value, or null if it is not digits or overflows int64. */
  private static Long integer(String chunk) {
    if (chunk.isEmpty() || !isDigit(chunk.charAt(0))) {
      return null;
    }
    try {
      return Long.parseLong(chunk);
    } catch (NumberFormatException overflow) {
      return null;
    }
  }
}
