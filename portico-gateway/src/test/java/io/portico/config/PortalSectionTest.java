package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code portal} section: listener, gateway URL, quota and invitation settings. */
class PortalSectionTest extends ConfigParsing {

  @Test
  void readsThePortalSection() {
    ConfigResult on = parse(MINIMAL + "portal:\n  sign-up: true\n");
    assertThat(problems(on)).isEmpty();
    assertThat(on.config().portal()).isEqualTo(new PortalConfig(true, true));
    assertThat(parse(MINIMAL).config().portal()).isEqualTo(PortalConfig.DEFAULTS);
    assertThat(parse(MINIMAL + "portal: off\n").config().portal().enabled()).isFalse();
    assertThat(problems(parse(MINIMAL + "portal:\n  sign-upp: true\n")))
        .singleElement()
        .asString()
        .contains("sign-upp");
  }

  @Test
  void readsThePortalsListenerGatewayUrlQuotaAndInvitationTtlAndReportsEachBadOne() {
    ConfigResult on =
        parse(
            MINIMAL
                + "portal:\n  address: 0.0.0.0:9902\n  gateway-url: https://api.example.com/\n"
                + "  quota:\n    redis: redis://127.0.0.1:6379\n    period: month\n"
                + "    timeout: 250ms\n"
                + "  invitation-ttl: 1d\n");
    assertThat(problems(on)).isEmpty();
    PortalConfig p = on.config().portal();
    assertThat(p.address().getPort()).isEqualTo(9902);
    assertThat(p.address().getAddress().isAnyLocalAddress()).isTrue();
    assertThat(p.gatewayUrl()).isEqualTo("https://api.example.com");
    assertThat(p.quota())
        .isEqualTo(
            new PortalConfig.Quota(
                "month", "redis://127.0.0.1:6379", "fail-open", Duration.ofMillis(250)));
    assertThat(p.invitationTtl()).isEqualTo(86_400);
    List<String> bad =
        problems(
            parse(
                MINIMAL
                    + "portal:\n  address: nowhere\n  gateway-url: ftp://x\n"
                    + "  quota:\n    period: week\n  invitation-ttl: 1s\n"));
    assertThat(bad).hasSize(5);
    assertThat(problems(parse(MINIMAL + "portal:\n  address: 127.0.0.1:9901\n")))
        .singleElement()
        .asString()
        .contains("portal.address")
        .contains("not used by the admin listener");
    assertThat(String.join("\n", bad))
        .contains("portal.address")
        .contains("portal.gateway-url")
        .contains("portal.quota.period")
        .contains("portal.quota.redis")
        .contains("portal.invitation-ttl");
  }

  @Test
  void portalQuotaTimeoutDefaultsToTheQuotaPluginsAndReportsAnOutOfRangeValueAtItsPlace() {
    String quota = MINIMAL + "portal:\n  quota:\n    redis: redis://127.0.0.1:6379\n";
    assertThat(valid(parse(quota)).portal().quota())
        .isEqualTo(
            new PortalConfig.Quota(
                "day", "redis://127.0.0.1:6379", "fail-open", Duration.ofMillis(100)));
    assertThat(problems(parse(quota + "    timeout: 20s\n")))
        .containsExactly(
            "portico.yaml:15:14: portal.quota.timeout: \"20s\" (expected: a duration from 1ms to"
                + " 10s)");
    assertThat(problems(parse(quota + "    timeout: soon\n")))
        .containsExactly(
            "portico.yaml:15:14: portal.quota.timeout: \"soon\" (expected: a duration such as"
                + " 250ms, 5s, 1m, 2h or 1d)");
  }

  @Test
  void theDeveloperPortalExampleIsValid() throws Exception {
    Path example =
        Path.of("").toAbsolutePath().getParent().resolve("examples/developer-portal.yaml");
    assertThat(valid(parse(Files.readString(example))).portal().signUp()).isTrue();
  }
}
