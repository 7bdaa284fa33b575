package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portico.config.AiConfig;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import io.portico.testing.GatewayFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ai} section's problems, reported all at once with their place. */
class AiConfigTest {

  @TempDir Path dir;

  private List<String> problems(String yaml) {
    ConfigResult result =
        ConfigFiles.parse(yaml, "portico.yaml", dir, Map.of(), PluginRegistry.of(List.of()));
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  @Test
  void reportsEveryProblemOfTheAiSectionWithItsPlace() {
    List<String> problems =
        problems(
            """
            ai:
              providers:
                - { name: openai, kind: openai, keys: [ "sk-literal" ] }
                - { name: az, kind: azure-openai, base-url: "https://x.openai.azure.com" }
                - { name: local, kind: openai-compatible }
                - { name: env, kind: anthropic, keys: [ "env:PORTICO_TEST_UNSET_VARIABLE" ] }
                - { name: g, kind: gemini, api-version: v1 }
              models:
                - { name: gpt-4o, targets: [ { provider: opneai } ] }
                - { name: gpt-4o, targets: [] }
            routes:
              - { name: llm, paths: [ /v1/ ], ai: { models: [ gpt-5 ] } }
            """);

    assertThat(problems)
        .anyMatch(p -> p.matches("portico\\.yaml:3:.*keys.*env:VARIABLE or file:PATH.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:4:.*api-version.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:5:.*base-url.*required for openai-compatible.*"))
        .anyMatch(
            p -> p.matches("portico\\.yaml:7:.*no api-version \\(only for kind azure-openai\\).*"))
        .anyMatch(
            p ->
                p.matches(
                    "portico\\.yaml:9:.*unknown provider \"opneai\".*did you mean \"openai\".*"))
        .anyMatch(p -> p.matches("portico\\.yaml:10:.*duplicate model name \"gpt-4o\".*"))
        .anyMatch(p -> p.matches("portico\\.yaml:10:.*at least one target.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:12:.*unknown model \"gpt-5\".*"));
    assertThat(String.join("\n", problems)).doesNotContain("sk-literal");
  }

  @Test
  void theBundledExampleIsValid() {
    Path example = Path.of("").toAbsolutePath().getParent().resolve("examples/ai-gateway.yaml");

    ConfigResult result =
        ConfigFiles.load(
            example, Map.of(), PluginRegistry.load(AiConfigTest.class.getClassLoader()));

    assertThat(result.problems().list()).extracting(Problem::toString).isEmpty();
    assertThat(result.config().routes().get(0).ai()).isNotNull();
  }

  @Test
  void aRouteWithAiIsValidBeforeAnyProviderOrModelIsAdded() {
    assertThat(problems("routes:\n  - { name: llm, paths: [ /v1/ ], ai: {} }\n")).isEmpty();
    assertThat(
            problems(
                """
                ai:
                  providers:
                    - { name: local, kind: openai-compatible, base-url: "http://127.0.0.1:1/v1" }
                routes:
                  - { name: llm, paths: [ /v1/ ], ai: {} }
                """))
        .isEmpty();
    assertThat(
            problems("routes:\n  - { name: llm, paths: [ /v1/ ], ai: { models: [ gpt-4o ] } }\n"))
        .anyMatch(p -> p.contains("unknown model \"gpt-4o\""));
  }

  @Test
  void aNameOfAnAiSectionWithoutAnyIsReportedAsNoneDefinedNotAsAnEmptyList() {
    List<String> problems =
        problems(
            """
            ai:
              prices:
                - { provider: openai, model: gpt-4o, input: 2.5, output: 10 }
            routes:
              - name: summarize
                paths: [ /summarize ]
                ai:
                  prompt:
                    model: gpt-4o-mini
                    variables: [ { name: text } ]
                    user: "Summarize: {{text}}"
            """);

    assertThat(problems)
        .anyMatch(
            p ->
                p.contains(
                    "unknown provider \"openai\" (expected: a provider of ai.providers;"
                        + " none is defined)"))
        .anyMatch(
            p ->
                p.contains(
                    "unknown model \"gpt-4o-mini\" (expected: a model of the ai section; none is"
                        + " defined: add one under ai.models, or through the admin API's"
                        + " /ai-models)"))
        .noneMatch(p -> p.contains("one of )"));
  }

  @Test
  void theShippedConfigServesTheAiApiBeforeAnyProviderIsAdded() {
    Path shipped = Path.of("").toAbsolutePath().getParent().resolve("portico.yaml");

    ConfigResult result =
        ConfigFiles.load(
            shipped, Map.of(), PluginRegistry.load(AiConfigTest.class.getClassLoader()));

    assertThat(result.problems().list()).extracting(Problem::toString).isEmpty();
    assertThat(result.config().services())
        .noneMatch(s -> s.name().startsWith(AiConfig.SERVICE_PREFIX));
    assertThat(result.config().routes())
        .anyMatch(r -> r.ai() != null && r.paths().contains("/v1/"));
  }

  @Test
  void readsKeysFromFilesAndNeverShowsThem() throws Exception {
    Files.writeString(dir.resolve("k"), "sk-secret-value\n");
    ConfigResult result =
        ConfigFiles.parse(
            """
            ai:
              providers:
                - { name: openai, kind: openai, keys: [ "file:k" ] }
              models:
                - { name: gpt-4o, targets: [ { provider: openai } ] }
            routes:
              - { name: llm, paths: [ /v1/ ], ai: {} }
            """,
            "portico.yaml",
            dir,
            Map.of(),
            PluginRegistry.of(List.of()));

    assertThat(result.problems().list()).isEmpty();
    assertThat(result.config().services())
        .anyMatch(
            s ->
                s.name().equals("ai.openai")
                    && s.discovery().kind().name().equals("dns")
                    && s.tls().serverName().equals("api.openai.com")
                    && s.hostHeader().equals("api.openai.com"));
    assertThat(result.config().routes().get(0).ai().ai().providers().get(0).keys().get(0).file())
        .isEqualTo(dir.resolve("k"));
    assertThat(result.config().toString()).doesNotContain("sk-secret-value");
  }

  @Test
  void aKeyThatCannotBeReadStopsTheGatewayFromStartingAndNamesOnlyItsReference() {
    String yaml =
        """
        ai:
          providers:
            - { name: claude, kind: anthropic, keys: [ "env:PORTICO_TEST_UNSET_VARIABLE", "file:/nonexistent/key" ] }
          models:
            - { name: smart, targets: [ { provider: claude } ] }
        routes:
          - { name: llm, paths: [ /v1/ ], ai: {} }
        """;

    // Each at its key, on the provider's line, with the path of the provider in the file.
    assertThatThrownBy(() -> GatewayFixture.start(yaml))
        .hasMessageMatching(
            "(?s).*:\\d+:\\d+: ai\\.providers\\[0]\\.keys\\[0]: environment variable"
                + " PORTICO_TEST_UNSET_VARIABLE is not set.*")
        .hasMessageMatching(
            "(?s).*:\\d+:\\d+: ai\\.providers\\[0]\\.keys\\[1]: /nonexistent/key cannot be read.*");
  }
}
