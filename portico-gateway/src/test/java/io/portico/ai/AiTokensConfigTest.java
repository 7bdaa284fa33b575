package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.AiTokensConfig;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token keys of the {@code ai} section: parsed into records, problems reported with place. */
class AiTokensConfigTest {

  @TempDir Path dir;

  private static final String PROVIDERS =
      """
      ai:
        providers:
          - { name: openai, kind: openai, base-url: "http://127.0.0.1:9" }
        models:
          - { name: gpt-4o, targets: [ { provider: openai } ] }
      """;

  private ConfigResult parse(String yaml) {
    return ConfigFiles.parse(yaml, "portico.yaml", dir, Map.of(), PluginRegistry.of(List.of()));
  }

  private List<String> problems(String yaml) {
    return parse(yaml).problems().list().stream().map(Problem::toString).toList();
  }

  @Test
  void readsLimitsQuotasPricesAndTheCompletionEstimate() {
    ConfigResult result =
        parse(
            PROVIDERS
                + """
                  tokens: { completion-estimate: 512 }
                  token-limits:
                    - name: team-tpm
                      key: [ consumer, model ]
                      models: [ gpt-4o ]
                      limits:
                        - { tokens: 100000, window: 1m }
                        - { tokens: 2000000, window: 1h }
                      policy: redis
                      redis: { url: "redis://127.0.0.1:6379", on-failure: fail-open }
                  token-quotas:
                    - name: monthly
                      limit: 5000000
                      period: month
                      groups: { gold: 50000000 }
                      redis: { url: "redis://127.0.0.1:6379", on-failure: fail-closed }
                  prices:
                    - { provider: openai, model: gpt-4o, input: 2.5, output: 10 }
                routes:
                  - { name: llm, paths: [ /v1/ ], ai: {} }
                """);

    assertThat(result.problems().list()).isEmpty();
    AiTokensConfig t = result.config().routes().get(0).ai().ai().tokens();
    assertThat(t.completionEstimate()).isEqualTo(512);
    AiTokensConfig.Limit l = t.limits().get(0);
    assertThat(l.key())
        .containsExactly(AiTokensConfig.KeyPart.CONSUMER, AiTokensConfig.KeyPart.MODEL);
    assertThat(l.windows())
        .containsExactly(
            new AiTokensConfig.Window("1m", 100000, Duration.ofMinutes(1)),
            new AiTokensConfig.Window("1h", 2000000, Duration.ofHours(1)));
    assertThat(l.redis().onFailure()).isEqualTo("fail-open");
    assertThat(t.quotas().get(0).monthly()).isTrue();
    assertThat(t.quotas().get(0).groupLimits()).containsEntry("gold", 50000000L);
    assertThat(t.prices()).containsExactly(new AiTokensConfig.Price("openai", "gpt-4o", 2.5, 10));
  }

  @Test
  void reportsEveryProblemOfTheTokenKeysWithItsPlace() {
    List<String> problems =
        problems(
            PROVIDERS
                + """
                  tokens: { completion-estimate: -1 }
                  token-limits:
                    - name: tpm
                      key: [ consumer, tenant ]
                      models: [ gpt-5 ]
                      limits: [ { tokens: 0, window: 1m }, { tokens: 10, window: 2y } ]
                    - name: tpm
                      limits: [ { tokens: 10, window: 1m } ]
                      policy: redis
                  token-quotas:
                    - { name: q, limit: 10, period: week }
                  prices:
                    - { provider: opneai, model: gpt-4o, input: 1, output: 1 }
                    - { provider: openai, model: gpt-4o, input: -1, output: cheap }
                """);

    assertThat(problems)
        .anyMatch(p -> p.matches("portico\\.yaml:6:.*completion-estimate.*"))
        .anyMatch(
            p -> p.matches("portico\\.yaml:9:.*tenant.*consumer, group, model, route or global.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:10:.*unknown model \"gpt-5\".*"))
        .anyMatch(p -> p.matches("portico\\.yaml:11:.*tokens.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:11:.*2y.*1s to 366d.*"))
        .anyMatch(
            p -> p.matches("portico\\.yaml:12:.*duplicate token limit or quota name \"tpm\".*"))
        .anyMatch(p -> p.matches("portico\\.yaml:1[2-4]:.*redis.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:16:.*period.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:16:.*redis.*quotas are counted in Redis.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:18:.*unknown provider \"opneai\".*"))
        .anyMatch(p -> p.matches("portico\\.yaml:19:.*input.*price per million tokens.*"))
        .anyMatch(p -> p.matches("portico\\.yaml:19:.*cheap.*price per million tokens.*"));
  }

  @Test
  void aTokenWindowWrittenAsWordsIsToldHowToWriteIt() {
    assertThat(
            problems(
                PROVIDERS
                    + """
                      token-limits:
                        - name: tph
                          limits: [ { tokens: 10, window: "1 hour" } ]
                    """))
        .anyMatch(p -> p.contains("window") && p.endsWith("such as 1m, 1h or 1d; write 1h)"));
  }
}
