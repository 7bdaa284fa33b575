package io.portico.plugins.ratelimit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;

/**
 * A quota's counting period: a calendar day or month in a time zone.
 *
 * @param window the period's name in storage keys ({@code 2026-12-06} or {@code 2026-12})
 * @param end the instant the next period starts
 */
record CalendarPeriod(String window, Instant end) {

  /** The period holding {@code now}. */
  static CalendarPeriod of(Instant now, ZoneId zone, boolean monthly) {
    LocalDate today = now.atZone(zone).toLocalDate();
    return monthly
        ? new CalendarPeriod(
            YearMonth.from(today).toString(),
            today.withDayOfMonth(1).plusMonths(1).atStartOfDay(zone).toInstant())
        : new CalendarPeriod(today.toString(), today.plusDays(1).atStartOfDay(zone).toInstant());
  }
}
