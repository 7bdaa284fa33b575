package io.portico.spi.plugin;

import io.portico.spi.config.ConfigReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Makes a {@link Plugin} from its configuration. Registered with {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/io.portico.spi.plugin.PluginFactory} entry), under a stable {@link
 * #name()} that configs use as the key of the plugin.
 *
 * <p>Loading is two steps, both at config load time and never per request: {@link #parse} reads and
 * validates the config into an immutable value ({@code C}, usually a record), reporting every
 * problem through the reader; {@link #create} builds the instance from a valid config. {@code
 * portico validate} runs only the first step, so it opens no connections.
 *
 * <p>A factory may also implement {@link CredentialChecker} (its plugin authenticates consumers
 * with credentials of its own kind) and {@link ConsumerReferences} (its config names consumers), so
 * that {@code portico validate} checks those too.
 *
 * <p>A factory publishes the shape of its config as a JSON Schema ({@link #configSchema()}): the
 * admin API lists it ({@code GET /schemas/plugins}) and the console renders a form from it. The
 * schema describes; {@link #parse} stays the one authority on what is valid.
 *
 * @param <C> the plugin's compiled configuration
 */
public interface PluginFactory<C> {

  /** The stable name used in configs, e.g. {@code cors}. */
  String name();

  /**
   * Order within a phase: higher runs first. Built-in ranges: 3000+ request shaping (request-id),
   * 2000+ authentication, 1000+ authorization and limits, below 1000 transformation and local
   * responders.
   */
  int priority();

  /**
   * Reads and validates the config, reporting every problem through {@code config} (its typed
   * readers, or {@link ConfigReader#problems()}), and returns what it read.
   *
   * <p>The contract is one rule, kept by the gateway: <b>a config whose reading recorded a problem
   * is never used.</b> When any problem was recorded for this plugin's config (by {@code parse}, or
   * by the gateway, which calls {@link ConfigReader#finish()} afterwards to report unknown keys),
   * the gateway discards what {@code parse} returned, reports the problems, and never calls {@link
   * #create} with it. So a factory need not track whether it reported something:
   *
   * <ul>
   *   <li>read every key, even after a problem: the readers return a default or neutral stand-in
   *       for a bad value, so one pass finds every mistake of the document;
   *   <li>return the config built from what was read; when it cannot be built from stand-ins,
   *       return null, but only when a problem was recorded ({@code !config.problems().isEmpty()});
   *   <li>never throw for bad input. A factory that throws, or returns null without recording a
   *       problem, is reported as a problem at its config node.
   * </ul>
   *
   * <p>Runs at config load time (and in {@code portico validate}), on the loading thread: it must
   * open no connection and start nothing.
   */
  @Nullable C parse(ConfigReader config);

  /**
   * Builds the plugin from a config returned by {@link #parse} whose reading recorded no problem.
   * Runs when a config is compiled, before it serves requests (at start-up and on every reload), on
   * the loading thread. It may start background work that the instance owns and stops in {@link
   * Plugin#close()}. An exception is reported as {@code plugin "<name>" failed to start: <message>}
   * and the config is not applied.
   */
  Plugin create(C config, PluginContext context);

  /**
   * The JSON Schema (draft 2020-12) of this plugin's config, as JSON text, or null when the plugin
   * publishes none. The default reads the resource {@code <name>.schema.json} next to the factory
   * class (in the same package, e.g. {@code com/example/stamp/header-stamp.schema.json}), so a
   * plugin publishes its schema by adding that file to its jar; a factory may override this to
   * build the text itself.
   *
   * <p>Consumers of the schema (the admin API's {@code GET /schemas/plugins}, the console's plugin
   * form) understand this subset: {@code type} (one or a list), {@code properties}, {@code
   * required}, {@code additionalProperties}, {@code items}, {@code enum}, {@code default}, {@code
   * description}, {@code minimum}, {@code maximum}, {@code pattern}, and {@code format: duration}
   * for durations such as {@code 1s} or {@code 500ms}. Anything else is kept and shown as JSON.
   *
   * <p>Runs on an admin thread, never on the request path; it must not start anything.
   *
   * @throws UncheckedIOException when the resource exists but cannot be read
   */
  default @Nullable String configSchema() {
    try (InputStream in = getClass().getResourceAsStream(name() + ".schema.json")) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
