package io.portico.spi.config;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An allowance per calendar day or month, one per subject or one per consumer group: the settings
 * the {@code quota} plugin and the AI gateway's token quotas share ({@code limit}, {@code period},
 * {@code time-zone}, {@code per}, {@code groups}), read in one place so both accept and report the
 * same things.
 *
 * @param limit the allowance per period for subjects in none of {@code groupLimits}' groups; 0 when
 *     missing or invalid (reported)
 * @param monthly whether the period is a calendar month (else a calendar day)
 * @param zone the time zone the calendar periods follow
 * @param perGroup whether the allowance is shared by a group's consumers (else one per consumer)
 * @param groupLimits per consumer group, its allowance
 */
public record CalendarQuota(
    long limit, boolean monthly, ZoneId zone, boolean perGroup, Map<String, Long> groupLimits) {

  public CalendarQuota {
    groupLimits = Map.copyOf(groupLimits);
  }

  /**
   * Reads the quota keys of {@code r}, recording what is wrong in its problems; {@code limitRule}
   * is what a missing {@code limit} is reported as expecting.
   */
  public static CalendarQuota read(ConfigReader r, String limitRule) {
    long limit = r.longValue("limit", 0, 1, Long.MAX_VALUE / 4);
    if (!r.has("limit")) {
      r.required("limit", limitRule);
    }
    String period = r.oneOf("period", "month", List.of("day", "month"));
    ZoneId zone =
        r.value(
            "time-zone",
            ZoneId.of("UTC"),
            "a time zone such as UTC or Europe/Paris",
            (text, node) -> {
              try {
                return ZoneId.of(text.trim());
              } catch (DateTimeException e) {
                return null;
              }
            });
    String per = r.oneOf("per", "consumer", List.of("consumer", "group"));
    Map<String, Long> groups = new LinkedHashMap<>();
    ConfigNode groupNode = r.child("groups");
    if (groupNode != null) {
      if (!groupNode.isObject()) {
        r.problems().expected(groupNode, "an object of group: limit");
      } else {
        ConfigReader g = ConfigReader.of(groupNode, r.problems());
        for (String group : groupNode.fields().keySet()) {
          groups.put(group, g.longValue(group, 1, 1, Long.MAX_VALUE / 4));
        }
      }
    }
    boolean perGroup = "group".equals(per);
    if (perGroup && groups.isEmpty()) {
      r.required("groups", "the limit of each counted group");
    }
    return new CalendarQuota(limit, "month".equals(period), zone, perGroup, groups);
  }
}
