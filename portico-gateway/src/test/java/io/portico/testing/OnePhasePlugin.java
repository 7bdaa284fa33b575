package io.portico.testing;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A test plugin that takes no config and runs one step in one phase: {@link Phase#ACCESS} ({@link
 * #access}) or {@link Phase#LOG} ({@link #log}). Routes configure it as {@code <name>: {}}; any key
 * in that map is reported by the gateway's own {@link ConfigReader#finish()}.
 *
 * <p>Threading: the step runs where the gateway runs the phase, on the exchange's event loop, so it
 * must not block; an ACCESS step that waits returns {@link Outcome#await}. Every {@link #create}
 * makes a new {@link Plugin} around the same step, so a step that keeps state shares it across
 * routes and reloads (tests read that state).
 *
 * <p>A plugin registered through {@code META-INF/services} needs a class of its own with a public
 * no-argument constructor: such a class extends this one and passes its name, priority and step to
 * {@link #OnePhasePlugin(String, int, Phase, Function, Consumer)}.
 */
public class OnePhasePlugin implements PluginFactory<Boolean> {

  private final String name;
  private final int priority;
  private final Phase phase;
  private final Function<Exchange, Outcome> access;
  private final Consumer<Exchange> log;

  /**
   * A plugin in {@code phase} (ACCESS or LOG) that calls {@code access} or {@code log} there; the
   * step of the other phase is never called.
   */
  protected OnePhasePlugin(
      String name,
      int priority,
      Phase phase,
      Function<Exchange, Outcome> access,
      Consumer<Exchange> log) {
    if (phase != Phase.ACCESS && phase != Phase.LOG) {
      throw new IllegalArgumentException("ACCESS or LOG, not " + phase);
    }
    this.name = name;
    this.priority = priority;
    this.phase = phase;
    this.access = access;
    this.log = log;
  }

  /** A plugin whose ACCESS phase answers what {@code step} returns for the exchange. */
  public static OnePhasePlugin access(String name, int priority, Function<Exchange, Outcome> step) {
    return new OnePhasePlugin(name, priority, Phase.ACCESS, step, exchange -> {});
  }

  /** A plugin whose LOG phase hands each finished exchange to {@code step}. */
  public static OnePhasePlugin log(String name, int priority, Consumer<Exchange> step) {
    return new OnePhasePlugin(name, priority, Phase.LOG, exchange -> Outcome.proceed(), step);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final int priority() {
    return priority;
  }

  @Override
  public final Boolean parse(ConfigReader config) {
    return Boolean.TRUE;
  }

  @Override
  public final Plugin create(Boolean config, PluginContext context) {
    return new Plugin() {
      @Override
      public Set<Phase> phases() {
        return Set.of(phase);
      }

      @Override
      public Outcome access(Exchange exchange) {
        return access.apply(exchange);
      }

      @Override
      public void log(Exchange exchange) {
        log.accept(exchange);
      }
    };
  }
}
