package io.portico.spi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CalendarQuotaTest {

  private static final Location AT = new Location("quota.yaml", 1, 1);

  /** An object of scalars, or of {@code Map}s for nested objects. */
  private static ConfigNode object(String path, Map<String, ?> fields) {
    Map<String, ConfigNode> nodes = new LinkedHashMap<>();
    fields.forEach(
        (k, v) -> {
          String p = path.isEmpty() ? k : path + "." + k;
          nodes.put(
              k,
              v instanceof Map<?, ?> m
                  ? object(p, castMap(m))
                  : ConfigNode.scalar(p, AT, String.valueOf(v), false));
        });
    return ConfigNode.object(path, AT, nodes);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> castMap(Map<?, ?> m) {
    return (Map<String, ?>) m;
  }

  @Test
  void readsADailyQuotaPerGroupInItsZone() {
    Problems problems = new Problems();
    ConfigReader r =
        ConfigReader.of(
            object(
                "",
                Map.of(
                    "limit", 100,
                    "period", "day",
                    "time-zone", "Europe/Paris",
                    "per", "group",
                    "groups", Map.of("gold", 1000))),
            problems);

    CalendarQuota quota = CalendarQuota.read(r, "an integer from 1");
    r.finish();

    assertThat(problems.isEmpty()).as(problems.render()).isTrue();
    assertThat(quota)
        .isEqualTo(
            new CalendarQuota(100, false, ZoneId.of("Europe/Paris"), true, Map.of("gold", 1000L)));
  }

  @Test
  void defaultsToAMonthlyQuotaPerConsumerInUtc() {
    Problems problems = new Problems();
    ConfigReader r = ConfigReader.of(object("", Map.of("limit", 5)), problems);

    CalendarQuota quota = CalendarQuota.read(r, "an integer from 1");

    assertThat(problems.isEmpty()).isTrue();
    assertThat(quota).isEqualTo(new CalendarQuota(5, true, ZoneId.of("UTC"), false, Map.of()));
  }

  @Test
  void reportsEveryProblemAtItsKey() {
    Problems problems = new Problems();
    ConfigReader r =
        ConfigReader.of(
            object("quota", Map.of("time-zone", "Mars/Olympus", "per", "group")), problems);

    CalendarQuota quota = CalendarQuota.read(r, "an integer from 1 (tokens per period)");

    assertThat(quota.limit()).isZero();
    assertThat(problems.list())
        .extracting(Problem::path)
        .containsExactlyInAnyOrder("quota.limit", "quota.time-zone", "quota.groups");
    assertThat(problems.render()).contains("an integer from 1 (tokens per period)");
  }

  @Test
  void readsHourlyRollingAndPerGroupTiersOnlyWhereTiersAreRead() {
    Problems problems = new Problems();
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("limit", 10);
    fields.put("period", "hour");
    fields.put("window", "rolling");
    fields.put(
        "groups",
        Map.of(
            "gold", Map.of("limit", 500, "period", "month", "window", "calendar"), "silver", 50));
    ConfigReader r = ConfigReader.of(object("", fields), problems);

    CalendarQuota quota = CalendarQuota.readTiers(r, "an integer from 1");
    r.finish();

    assertThat(problems.isEmpty()).as(problems.render()).isTrue();
    assertThat(quota.tier()).isEqualTo(new CalendarQuota.Tier(10, CalendarQuota.Period.HOUR, true));
    assertThat(quota.groupTiers())
        .containsEntry("gold", new CalendarQuota.Tier(500, CalendarQuota.Period.MONTH, false))
        .containsEntry("silver", new CalendarQuota.Tier(50, CalendarQuota.Period.HOUR, true));

    // the calendar reading (the AI token quotas') knows neither hours nor windows
    Problems calendar = new Problems();
    ConfigReader c =
        ConfigReader.of(
            object("q", Map.of("limit", 1, "period", "hour", "window", "rolling")), calendar);
    CalendarQuota.read(c, "an integer from 1");
    c.finish();
    assertThat(calendar.list()).extracting(Problem::path).contains("q.period", "q.window");
  }
}
