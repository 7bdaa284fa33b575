package io.portico.plugin;

import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plugins of one route, compiled into one array per phase, each ordered by descending priority
 * (ties: global before service before route, then by name). Built once per snapshot; immutable and
 * shared by every exchange on the route.
 *
 * <p>Levels merge like Kong's: a plugin configured on the route replaces the same plugin configured
 * on the service, which replaces the global one.
 */
public final class PluginChain {

  /** A plugin instance with what orders it. */
  public record Entry(String name, int priority, Plugin plugin) {}

  public static final PluginChain EMPTY = new PluginChain(List.of());

  private final List<Entry> entries;
  private final Plugin[] rewrite;
  private final Plugin[] access;
  private final Plugin[] response;
  private final Plugin[] responseBody;
  private final Plugin[] log;

  private PluginChain(List<Entry> ordered) {
    this.entries = List.copyOf(ordered);
    this.rewrite = select(ordered, Phase.REWRITE);
    this.access = select(ordered, Phase.ACCESS);
    this.response = select(ordered, Phase.RESPONSE);
    this.responseBody = select(ordered, Phase.RESPONSE_BODY);
    this.log = select(ordered, Phase.LOG);
  }

  /** Merges levels from least to most specific (global, service, route). */
  @SafeVarargs
  public static PluginChain merge(List<Entry>... levels) {
    Map<String, Entry> byName = new LinkedHashMap<>();
    for (List<Entry> level : levels) {
      for (Entry e : level) {
        byName.remove(e.name());
        byName.put(e.name(), e);
      }
    }
    if (byName.isEmpty()) {
      return EMPTY;
    }
    List<Entry> ordered = new ArrayList<>(byName.values());
    ordered.sort(Comparator.comparingInt(Entry::priority).reversed());
    return new PluginChain(ordered);
  }

  private static Plugin[] select(List<Entry> ordered, Phase phase) {
    return ordered.stream()
        .filter(e -> e.plugin().phases().contains(phase))
        .map(Entry::plugin)
        .toArray(Plugin[]::new);
  }

  public Plugin[] rewrite() {
    return rewrite;
  }

  public Plugin[] access() {
    return access;
  }

  public Plugin[] response() {
    return response;
  }

  public Plugin[] responseBody() {
    return responseBody;
  }

  public Plugin[] log() {
    return log;
  }

  /**
   * The configured name of {@code plugin} in this chain, for log lines and metrics; looked up only
   * on the error path.
   */
  public String nameOf(Plugin plugin) {
    for (Entry e : entries) {
      if (e.plugin() == plugin) {
        return e.name();
      }
    }
    return plugin.getClass().getName();
  }

  /**
   * Whether {@code plugin} runs in the authentication band of priorities (2000 to 2999, {@link
   * io.portico.spi.plugin.PluginFactory#priority()}); looked up only when a plugin answers.
   */
  public boolean authenticates(Plugin plugin) {
    for (Entry e : entries) {
      if (e.plugin() == plugin) {
        return e.priority() >= AUTHENTICATION_BAND && e.priority() < AUTHENTICATION_BAND + 1000;
      }
    }
    return false;
  }

  /** The lowest priority of the authentication band. */
  public static final int AUTHENTICATION_BAND = 2000;

  /** The entries in run order, for the admin API. */
  public List<Entry> entries() {
    return entries;
  }
}
