package io.portico.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.ConfigLoader;
import io.portico.spi.config.ConfigNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The summary a reload logs of what changed in the config file. */
class FileChangesTest {

  private static final String BEFORE =
      """
      limits: { max-body-size: 1m }
      services:
        - name: users
          targets: [ "127.0.0.1:9001" ]
        - name: legacy
          targets: [ "127.0.0.1:9002" ]
      routes:
        - name: hello
          paths: [ /hello ]
          plugins: { mock: { body: hi } }
        - name: users
          paths: [ /users ]
          service: users
      """;

  private static ConfigNode root(String yaml) {
    ConfigNode root = ConfigLoader.withEnvironment(Map.of()).load(yaml, "portico.yaml").root();
    assertThat(root).isNotNull();
    return root;
  }

  @Test
  void namesTheObjectsAddedChangedAndRemovedAndTheSectionsThatChanged() {
    String after =
        """
        limits: { max-body-size: 2m }
        tracing: { sample-ratio: 0.1 }
        services:
          - name: users
            targets: [ "127.0.0.1:9001" ]
        routes:
          - name: hello
            paths: [ /hello ]
            plugins: { mock: { body: hello again } }
          - name: users
            paths: [ /users ]
            service: users
          - name: orders
            paths: [ /orders ]
            service: users
        """;

    assertThat(FileChanges.describe(root(BEFORE), root(after)))
        .isEqualTo(
            "services legacy removed; routes hello changed, orders added; limits changed;"
                + " tracing added");
  }

  @Test
  void movingObjectsReorderingKeysAndEditingCommentsIsNoChange() {
    String after =
        """
        # the routes first now
        routes:
          - name: users
            service: users
            paths: [ /users ]
          - name: hello
            paths: [ /hello ]   # a greeting
            plugins: { mock: { body: hi } }
        services:
          - name: legacy
            targets: [ "127.0.0.1:9002" ]
          - name: users
            targets: [ "127.0.0.1:9001" ]
        limits: { max-body-size: 1m }
        """;

    assertThat(FileChanges.describe(root(BEFORE), root(after))).isEqualTo("no change");
  }
}
