package io.promroute.plan;

/**
 * The date functions ({@code year()}, {@code day_of_week()}, ...) as Prometheus computes them:
 * {@code time.Unix(int64(v), 0).UTC()} and Go's calendar arithmetic (Go 1.19/1.20, which 2.42 is
 * built with). {@code java.time} agrees for ordinary timestamps but cannot represent what Go makes
 * of huge values, {@code ±Inf} and {@code NaN}: Go's conversion of such a float to int64 on amd64
 * gives the smallest int64, and its calendar then wraps around in unsigned arithmetic into a date
 * in year 292277026596. Those are Prometheus's answers, so they are ported here bit for bit.
 */
final class GoDates {

  private static final long SECONDS_PER_MINUTE = 60;
  private static final long SECONDS_PER_HOUR = 60 * SECONDS_PER_MINUTE;
  private static final long SECONDS_PER_DAY = 24 * SECONDS_PER_HOUR;
  private static final long SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY;
  private static final long DAYS_PER_400_YEARS = 365 * 400 + 97;
  private static final long DAYS_PER_100_YEARS = 365 * 100 + 24;
  private static final long DAYS_PER_4_YEARS = 365 * 4 + 1;
  private static final long ABSOLUTE_ZERO_YEAR = -292277022399L;

  /** Go's {@code unixToInternal + internalToAbsolute}. */
  private static final long UNIX_TO_ABSOLUTE = 62135596800L + 9223371966579724800L;

  private static final int[] DAYS_BEFORE = {
    0,
    31,
    31 + 28,
    31 + 28 + 31,
    31 + 28 + 31 + 30,
    31 + 28 + 31 + 30 + 31,
    31 + 28 + 31 + 30 + 31 + 30,
    31 + 28 + 31 + 30 + 31 + 30 + 31,
    31 + 28 + 31 + 30 + 31 + 30 + 31 + 31,
    31 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30,
    31 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31,
    31 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30,
    365
  };

  private GoDates() {}

  /** {@code name} of the Unix time {@code seconds}, as Prometheus 2.42 on amd64 answers it. */
  static double date(String name, double seconds) {
    long abs = goInt64(seconds) + UNIX_TO_ABSOLUTE; // an unsigned value in Go
    return switch (name) {
      case "day_of_month" -> fields(abs)[2];
      case "day_of_week" ->
          Long.divideUnsigned(
              Long.remainderUnsigned(abs + SECONDS_PER_DAY, SECONDS_PER_WEEK), SECONDS_PER_DAY);
      case "day_of_year" -> fields(abs)[3] + 1;
      case "days_in_month" -> daysInMonth(fields(abs));
      case "hour" -> Long.remainderUnsigned(abs, SECONDS_PER_DAY) / SECONDS_PER_HOUR;
      case "minute" -> Long.remainderUnsigned(abs, SECONDS_PER_HOUR) / SECONDS_PER_MINUTE;
      case "month" -> fields(abs)[1];
      case "year" -> fields(abs)[0];
      default -> throw new IllegalStateException("not a date function: " + name);
    };
  }

  /**
   * Go's {@code int64(f)} on amd64 (CVTTSD2SQ): truncation, and the smallest int64 for NaN or out
   * of range.
   */
  static long goInt64(double value) {
    if (Double.isNaN(value) || value >= 0x1p63 || value < -0x1p63) {
      return Long.MIN_VALUE;
    }
    return (long) value;
  }

  /** Go's {@code absDate}: year, month (1-12), day (1-31), day of the year (0-based). */
  private static long[] fields(long abs) {
    long d = Long.divideUnsigned(abs, SECONDS_PER_DAY);
    long n = d / DAYS_PER_400_YEARS; // d < 2^64 / 86400: positive as a long
    long y = 400 * n;
    d -= DAYS_PER_400_YEARS * n;
    n = d / DAYS_PER_100_YEARS;
    n -= n >> 2;
    y += 100 * n;
    d -= DAYS_PER_100_YEARS * n;
    n = d / DAYS_PER_4_YEARS;
    y += 4 * n;
    d -= DAYS_PER_4_YEARS * n;
    n = d / 365;
    n -= n >> 2;
    y += n;
    d -= 365 * n;
    long year = y + ABSOLUTE_ZERO_YEAR;
    int yday = (int) d;
    int day = yday;
    if (isLeap(year)) {
      if (day > 31 + 29 - 1) {
        day--;
      } else if (day == 31 + 29 - 1) {
        return new long[] {year, 2, 29, yday};
      }
    }
    int month = day / 31;
    int end = DAYS_BEFORE[month + 1];
    int begin;
    if (day >= end) {
      month++;
      begin = end;
    } else {
      begin = DAYS_BEFORE[month];
    }
    return new long[] {year, month + 1, day - begin + 1, yday};
  }

  /** Prometheus: {@code 32 - time.Date(year, month, 32, ...).Day()}, i.e. the month's length. */
  private static long daysInMonth(long[] fields) {
    int month = (int) fields[1];
    if (month == 2 && isLeap(fields[0])) {
      return 29;
    }
    return DAYS_BEFORE[month] - DAYS_BEFORE[month - 1];
  }

  private static boolean isLeap(long year) {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  }
}
