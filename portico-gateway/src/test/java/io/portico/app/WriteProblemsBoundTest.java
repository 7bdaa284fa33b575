package io.portico.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.ConfigFiles;
import io.portico.config.ConfigLoader;
import io.portico.config.ConfigParser;
import io.portico.config.ConfigResult;
import io.portico.config.LoadResult;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.store.ObjectKey;
import io.portico.store.ObjectKind;
import io.portico.store.ObjectLayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parse of an admin API write keeps the problems its answer lists ({@value
 * ConfigParser#MAX_LISTED} and one more) and counts the others, whatever their number: an object of
 * 200,000 unknown keys or plugins is a list of 101 problems and a count, while a reload of the file
 * still finds and keeps every problem.
 */
class WriteProblemsBoundTest {

  private static final int KEYS = 200_000;

  @TempDir Path dir;

  private ConfigLayers layers(Path file) throws Exception {
    Files.writeString(
        file,
        """
        services:
          - name: backend
            targets: [ "127.0.0.1:9" ]
        """);
    ConfigLoader loader = ConfigLoader.withEnvironment(Map.of());
    PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());
    LoadResult fileLoad = loader.load(file);
    ConfigResult parsed = ConfigFiles.parse(fileLoad, file, registry);
    assertThat(parsed.config()).isNotNull();
    return ConfigLayers.open(file, loader, registry, fileLoad, parsed.config().admin());
  }

  private static ObjectLayer bigRoute(boolean plugins) {
    StringBuilder json =
        new StringBuilder("{\"name\":\"big\",\"paths\":[\"/big\"],\"service\":\"backend\"");
    json.append(plugins ? ",\"plugins\":{" : ",");
    for (int i = 0; i < KEYS; i++) {
      json.append(i == 0 ? "" : ",").append("\"x").append(i).append(plugins ? "\":{}" : "\":1");
    }
    json.append(plugins ? "}}" : "}");
    return new ObjectLayer(
        Map.of(new ObjectKey(ObjectKind.ROUTES, "big"), json.toString()), Set.of());
  }

  @Test
  void aWriteWithTwoHundredThousandUnknownKeysKeepsTheListedProblemsAndCountsTheRest()
      throws Exception {
    Path file = dir.resolve("portico.yaml");
    ConfigLayers layers = layers(file);
    for (boolean plugins : List.of(false, true)) {
      LoadResult fileLoad = layers.loadFile();
      Problems problems = layers.parseWrite(fileLoad, bigRoute(plugins)).problems();

      assertThat(problems.size()).as("found").isEqualTo(KEYS);
      assertThat(problems.list()).as("kept").hasSize(ConfigParser.MAX_LISTED + 1);
      List<Problem> listed = ConfigParser.listed(problems);
      assertThat(listed).hasSize(ConfigParser.MAX_LISTED + 1);
      assertThat(listed.get(0).path()).endsWith("x0");
      assertThat(listed.get(ConfigParser.MAX_LISTED).message())
          .isEqualTo(
              "and "
                  + (KEYS - ConfigParser.MAX_LISTED)
                  + " more problems, not listed (the first"
                  + " 100 are)");

      assertThat(layers.parse(fileLoad, bigRoute(plugins)).problems().list())
          .as("a reload keeps them all")
          .hasSize(KEYS);
    }
    layers.close();
  }
}
