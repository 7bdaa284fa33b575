package io.portico.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.portico.testing.GatewayFixture;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A browser on another host signing in to the console over plain HTTP is told how to reach it
 * safely instead of sending the password in clear text; loopback, proxied HTTPS and scripts are not
 * affected.
 */
class ConsolePlainHttpTest {

  private static final String PASSWORD = "correct horse battery";
  private static final String TOKEN = "admin-token-for-the-plain-http-test";

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private GatewayFixture gw;

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
  }

  /** An address of this machine that is not loopback, so the gateway sees another host. */
  private static @Nullable InetAddress otherHostAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return a;
        }
      }
    }
    return null;
  }

  private HttpResponse<String> signIn(String base, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/auth/sign-in"))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"name\": \"admin\", \"password\": \"" + PASSWORD + "\"}"));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aBrowserOnAnotherHostOverPlainHttpIsToldToUseATunnelOrTls() throws Exception {
    InetAddress other = otherHostAddress();
    assumeTrue(other != null, "this machine has no non-loopback IPv4 address");
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 0.0.0.0:0
              token: %s
            routes:
              - name: hello
                paths: [ /hello ]
                plugins: { mock: {} }
            """
                .formatted(TOKEN),
            Map.of("PORTICO_ADMIN_PASSWORD", PASSWORD));
    int port = gw.adminUri("/").getPort();
    String remote = "http://" + other.getHostAddress() + ":" + port;
    String local = "http://127.0.0.1:" + port;

    HttpResponse<String> refused = signIn(remote, "Origin", remote);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(refused.body())
        .contains("problems/console-plain-http")
        .contains("ssh -L 9901:127.0.0.1:9901")
        .contains("admin.console.secure-cookie: true");
    assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();

    assertThat(signIn(local, "Origin", local).statusCode()).isEqualTo(200);
    assertThat(signIn(remote, "Origin", remote, "X-Forwarded-Proto", "https").statusCode())
        .isEqualTo(200);
    assertThat(signIn(remote).statusCode()).as("a script sends no Origin").isEqualTo(200);
  }
}
