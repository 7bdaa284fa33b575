package io.portico.spi.config;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An allowance per period, one per subject or one per consumer group: the settings the {@code
 * quota} plugin and the AI gateway's token quotas share ({@code limit}, {@code period}, {@code
 * time-zone}, {@code per}, {@code groups}), read in one place so both accept and report the same
 * things.
 *
 * <p>{@link #read} reads the calendar day or month both accept; {@link #readTiers} also reads
 * hours, rolling windows ({@code window: rolling}) and groups each with a period of its own ({@code
 * groups: {gold: {limit: 100, period: hour}}}), which only the {@code quota} plugin counts.
 *
 * @param limit the allowance per period for subjects in none of {@code groupTiers}' groups; 0 when
 *     missing or invalid (reported)
 * @param period the period of {@code limit}
 * @param rolling whether the period is the one that ends now (else the calendar period)
 * @param zone the time zone the calendar periods follow
 * @param perGroup whether the allowance is shared by a group's consumers (else one per consumer)
 * @param groupTiers per consumer group, its allowance and period
 */
public record CalendarQuota(
    long limit,
    Period period,
    boolean rolling,
    ZoneId zone,
    boolean perGroup,
    Map<String, Tier> groupTiers) {

  /** A quota's period. */
  public enum Period {
    HOUR(3_600),
    DAY(86_400),
    MONTH(30 * 86_400);

    private final long rollingSeconds;

    Period(long rollingSeconds) {
      this.rollingSeconds = rollingSeconds;
    }

    /** The length of a rolling period of this kind (a month rolls over 30 days). */
    public long rollingSeconds() {
      return rollingSeconds;
    }

    /** {@code hour}, {@code day} or {@code month}. */
    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Period of(String text) {
      return valueOf(text.toUpperCase(Locale.ROOT));
    }
  }

  /** An allowance per period: a group's, or everyone else's. */
  public record Tier(long limit, Period period, boolean rolling) {}

  public CalendarQuota {
    groupTiers = Map.copyOf(groupTiers);
  }

  /** A calendar day or month quota whose groups share its period. */
  public CalendarQuota(
      long limit, boolean monthly, ZoneId zone, boolean perGroup, Map<String, Long> groupLimits) {
    this(
        limit,
        monthly ? Period.MONTH : Period.DAY,
        false,
        zone,
        perGroup,
        tiers(groupLimits, monthly ? Period.MONTH : Period.DAY, false));
  }

  private static Map<String, Tier> tiers(Map<String, Long> limits, Period period, boolean rolling) {
    Map<String, Tier> t = new LinkedHashMap<>();
    limits.forEach((g, l) -> t.put(g, new Tier(l, period, rolling)));
    return t;
  }

  /** Whether the period of {@link #limit} is a month (else a day or an hour). */
  public boolean monthly() {
    return period == Period.MONTH;
  }

  /** The allowance of subjects in none of the groups. */
  public Tier tier() {
    return new Tier(limit, period, rolling);
  }

  /** Per consumer group, its allowance. */
  public Map<String, Long> groupLimits() {
    Map<String, Long> l = new LinkedHashMap<>();
    groupTiers.forEach((g, t) -> l.put(g, t.limit()));
    return Map.copyOf(l);
  }

  /**
   * Reads the quota keys of {@code r}, a calendar day or month, recording what is wrong in its
   * problems; {@code limitRule} is what a missing {@code limit} is reported as expecting.
   */
  public static CalendarQuota read(ConfigReader r, String limitRule) {
    return read(r, limitRule, false);
  }

  /**
   * Reads the quota keys of {@code r} as {@link #read} does, and also {@code period: hour}, {@code
   * window: calendar} or {@code rolling}, and groups given as {@code {limit, period, window}}.
   */
  public static CalendarQuota readTiers(ConfigReader r, String limitRule) {
    return read(r, limitRule, true);
  }

  private static CalendarQuota read(ConfigReader r, String limitRule, boolean tiers) {
    long limit = r.longValue("limit", 0, 1, Long.MAX_VALUE / 4);
    if (!r.has("limit")) {
      r.required("limit", limitRule);
    }
    List<String> periods = tiers ? List.of("hour", "day", "month") : List.of("day", "month");
    Period period = Period.of(r.oneOf("period", "month", periods));
    boolean rolling = tiers && "rolling".equals(window(r));
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
    Map<String, Tier> groups = new LinkedHashMap<>();
    ConfigNode groupNode = r.child("groups");
    if (groupNode != null) {
      if (!groupNode.isObject()) {
        r.problems().expected(groupNode, "an object of group: limit");
      } else {
        ConfigReader g = ConfigReader.of(groupNode, r.problems());
        for (Map.Entry<String, ConfigNode> e : groupNode.fields().entrySet()) {
          String group = e.getKey();
          if (tiers && e.getValue().isObject()) {
            ConfigReader t = g.object(group);
            long l = t.longValue("limit", 1, 1, Long.MAX_VALUE / 4);
            if (!t.has("limit")) {
              t.required("limit", "an integer from 1");
            }
            Period p = Period.of(t.oneOf("period", period.text(), periods));
            String w = window(t);
            boolean roll = w == null ? rolling : w.equals("rolling");
            t.finish();
            groups.put(group, new Tier(l, p, roll));
          } else {
            groups.put(
                group, new Tier(g.longValue(group, 1, 1, Long.MAX_VALUE / 4), period, rolling));
          }
        }
      }
    }
    boolean perGroup = "group".equals(per);
    if (perGroup && groups.isEmpty()) {
      r.required("groups", "the limit of each counted group");
    }
    return new CalendarQuota(limit, period, rolling, zone, perGroup, groups);
  }

  private static @Nullable String window(ConfigReader r) {
    return r.has("window") ? r.oneOf("window", "calendar", List.of("calendar", "rolling")) : null;
  }
}
