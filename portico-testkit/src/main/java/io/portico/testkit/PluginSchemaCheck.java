package io.portico.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.portico.plugin.PluginSchemas;
import io.portico.spi.plugin.PluginFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that a plugin's published config schema ({@link PluginFactory#configSchema()}, by default
 * the resource {@code <name>.schema.json} next to the factory) tells the truth about the plugin:
 *
 * <pre>{@code
 * assertThat(PluginSchemaCheck.problems(new HeaderStampFactory(),
 *     "{ name: X-Gateway, value: portico }",
 *     "{ name: X-Gateway, value: portico, response: true, require: [ X-Tenant ] }"))
 *     .isEmpty();
 * }</pre>
 *
 * The answer lists every problem, one line each: no schema, a schema that is not JSON, an example
 * that the schema refuses (its required keys, types, enums, bounds, patterns, durations), and a key
 * that the factory's {@code parse} reads (given the examples, and an empty object for each object
 * the schema describes) that the schema does not describe. The examples are the plugin's config, in
 * YAML or JSON. JUnit-agnostic: assert on the list with any library.
 */
public final class PluginSchemaCheck {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private PluginSchemaCheck() {}

  /** Every problem of the factory's schema against the plugin and the example configs. */
  public static List<String> problems(PluginFactory<?> factory, String... examples) {
    List<JsonNode> configs = new ArrayList<>();
    for (String example : examples) {
      try {
        configs.add(YAML.readTree(example));
      } catch (IOException e) {
        throw new UncheckedIOException("the example is not YAML: " + example, e);
      }
    }
    return PluginSchemas.check(factory, configs);
  }
}
