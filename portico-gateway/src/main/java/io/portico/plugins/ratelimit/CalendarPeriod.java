package io.portico.plugins.ratelimit;

import io.portico.spi.config.CalendarQuota.Period;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * A quota's counting period: a calendar hour, day or month in a time zone.
 *
 * @param window the period's name in storage keys ({@code 2026-12-06T13+01:00}, {@code 2026-12-06}
 *     or {@code 2026-12})
 * @param end the instant the next period starts
 */
record CalendarPeriod(String window, Instant end) {

  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHxxx");

  /** The day or month holding {@code now}. */
  static CalendarPeriod of(Instant now, ZoneId zone, boolean monthly) {
    return of(now, zone, monthly ? Period.MONTH : Period.DAY);
  }

  /** The period holding {@code now}. */
  static CalendarPeriod of(Instant now, ZoneId zone, Period period) {
    LocalDate today = now.atZone(zone).toLocalDate();
    return switch (period) {
      case MONTH ->
          new CalendarPeriod(
              YearMonth.from(today).toString(),
              today.withDayOfMonth(1).plusMonths(1).atStartOfDay(zone).toInstant());
      case DAY ->
          new CalendarPeriod(today.toString(), today.plusDays(1).atStartOfDay(zone).toInstant());
      case HOUR -> {
        // the offset is part of the name: the hour a daylight-saving change repeats counts twice
        ZonedDateTime start = now.atZone(zone).truncatedTo(ChronoUnit.HOURS);
        yield new CalendarPeriod(HOUR.format(start), start.toInstant().plusSeconds(3_600));
      }
    };
  }
}
