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
}
