package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaders;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which client-supplied forwarding headers the gateway believes: with the test client's address
 * (127.0.0.1) among {@code forwarding.trusted-proxies} they are kept and appended to, and the
 * client is the rightmost untrusted address of {@code X-Forwarded-For}; without, they are replaced.
 */
class TrustedProxiesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  private void start(String forwarding) throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: echo
                paths: [ "/echo" ]
                path-match: exact
                plugins:
                  echo: {}
              - name: all
                paths: [ "/" ]
                service: backend
            %s
            """
                .formatted(env.origin().authority(), forwarding));
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return gw.send(b);
  }

  private String echoedClient(String xff) throws Exception {
    HttpResponse<String> r = get("/echo", "X-Forwarded-For", xff);
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body()).get("client_address").asText();
  }

  private ExchangeRecord recordFor(String path) {
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> gw.records().stream().anyMatch(r -> path.equals(r.path())));
    List<ExchangeRecord> matching =
        gw.records().stream().filter(r -> path.equals(r.path())).toList();
    return matching.get(matching.size() - 1);
  }

  @Test
  void keepsAndAppendsToTheForwardingHeadersOfATrustedProxy() throws Exception {
    start("forwarding: { trusted-proxies: [ 127.0.0.1/32 ] }");

    HttpResponse<String> r =
        get(
            "/headers",
            "X-Forwarded-For",
            "203.0.113.7",
            "X-Forwarded-Proto",
            "https",
            "X-Forwarded-Host",
            "api.example.com",
            "Forwarded",
            "for=203.0.113.7;proto=https",
            "X-Request-Id",
            "edge-id-1");

    assertThat(r.statusCode()).isEqualTo(200);
    HttpHeaders seen = env.origin().lastRequest().headers();
    assertThat(seen.getAll("x-forwarded-for")).containsExactly("203.0.113.7, 127.0.0.1");
    assertThat(seen.get("x-forwarded-proto")).isEqualTo("https");
    assertThat(seen.get("x-forwarded-host")).isEqualTo("api.example.com");
    assertThat(seen.get("forwarded")).startsWith("for=203.0.113.7;proto=https, for=127.0.0.1;");
    assertThat(seen.get("x-request-id")).isEqualTo("edge-id-1");
    assertThat(recordFor("/headers").clientAddress()).isEqualTo("203.0.113.7");
  }

  @Test
  void takesTheRightmostUntrustedAddressAsTheClient() throws Exception {
    start("forwarding: { trusted-proxies: [ 127.0.0.1/32, 10.0.0.0/8 ] }");

    assertThat(echoedClient("203.0.113.7")).isEqualTo("203.0.113.7");
    assertThat(echoedClient("203.0.113.7, 198.51.100.2")).isEqualTo("198.51.100.2");
    assertThat(echoedClient("203.0.113.7, 10.1.2.3")).isEqualTo("203.0.113.7");
    assertThat(echoedClient("203.0.113.7, 10.1.2.3, 127.0.0.1")).isEqualTo("203.0.113.7");

    get("/hello", "X-Forwarded-For", "192.0.2.1, 198.51.100.9, 10.9.9.9");
    assertThat(recordFor("/hello").clientAddress()).isEqualTo("198.51.100.9");
  }

  private String echoedClient(String header, String value) throws Exception {
    HttpResponse<String> r = get("/echo", header, value);
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body()).get("client_address").asText();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // what the trusted proxy at 10.1.2.3 forwarded | the client address
        "203.0.113.7, 10.1.2.3 | 203.0.113.7",
        "203.0.113.7:80, 10.1.2.3 | 10.1.2.3",
        "203.0.113.7, 198.51.100.2:443 | 127.0.0.1",
        "[2001:db8::1]:80 | 127.0.0.1",
        "[2001:db8::1] | 127.0.0.1",
        "2001:db8::1 | 2001:db8::1",
        "unknown | 127.0.0.1",
        "_hidden, 10.1.2.3 | 10.1.2.3",
        "client.example | 127.0.0.1",
        "203.0.113.007 | 127.0.0.1",
        "fe80::1%eth0 | 127.0.0.1",
        "203.0.113.7 extra | 127.0.0.1"
      })
  void takesOnlyABareIpAddressOfXForwardedForAsTheClient(String xff, String client)
      throws Exception {
    start("forwarding: { trusted-proxies: [ 127.0.0.1/32, 10.0.0.0/8 ] }");

    assertThat(echoedClient("X-Forwarded-For", xff)).isEqualTo(client);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "for=203.0.113.7 | 203.0.113.7",
        "for=\"203.0.113.7:4711\" | 203.0.113.7",
        "for=\"[2001:db8:cafe::17]\" | 2001:db8:cafe::17",
        "for=\"[2001:db8:cafe::17]:4711\";proto=https | 2001:db8:cafe::17",
        "for=\"[2001:db8:cafe::17]:_port\" | 2001:db8:cafe::17",
        "For=203.0.113.7;by=10.1.2.3, for=10.1.2.3 | 203.0.113.7",
        "for=203.0.113.7, for=198.51.100.2 | 198.51.100.2",
        "for=_hidden | 127.0.0.1",
        "for=unknown | 127.0.0.1",
        "for=203.0.113.7, for=_hidden | 127.0.0.1",
        "for=_hidden, for=10.1.2.3 | 10.1.2.3",
        "for=2001:db8::1 | 127.0.0.1",
        "for=\"[203.0.113.7]\" | 127.0.0.1",
        "for=\"203.0.113.7:99999\" | 127.0.0.1",
        "for=203.0.113.7;for=198.51.100.2 | 127.0.0.1",
        "proto=https | 127.0.0.1",
        "for=\"203.0.113.7 | 127.0.0.1"
      })
  void takesTheForParameterOfForwardedWhenConfigured(String forwarded, String client)
      throws Exception {
    start(
        "forwarding: { trusted-proxies: [ 127.0.0.1/32, 10.0.0.0/8 ],"
            + " client-address-header: forwarded }");

    assertThat(echoedClient("Forwarded", forwarded)).isEqualTo(client);
  }

  @Test
  void readsOnlyTheConfiguredHeaderForTheClientAddress() throws Exception {
    start("forwarding: { trusted-proxies: [ 127.0.0.1/32 ] }");

    HttpResponse<String> r =
        get("/echo", "X-Forwarded-For", "203.0.113.7", "Forwarded", "for=198.51.100.2");
    assertThat(JSON.readTree(r.body()).get("client_address").asText()).isEqualTo("203.0.113.7");
    assertThat(echoedClient("Forwarded", "for=198.51.100.2")).isEqualTo("127.0.0.1");
  }

  @Test
  void replacesClientSuppliedForwardingHeadersWithoutTrustedProxies() throws Exception {
    start("");

    HttpResponse<String> r =
        get(
            "/headers",
            "X-Forwarded-For",
            "203.0.113.7",
            "X-Forwarded-Proto",
            "https",
            "X-Forwarded-Host",
            "spoofed.example.com",
            "Forwarded",
            "for=203.0.113.7",
            "X-Request-Id",
            "spoofed-id-1");

    assertThat(r.statusCode()).isEqualTo(200);
    HttpHeaders seen = env.origin().lastRequest().headers();
    assertThat(seen.getAll("x-forwarded-for")).containsExactly("127.0.0.1");
    assertThat(seen.get("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.get("x-forwarded-host")).isEqualTo("127.0.0.1:" + gw.port());
    assertThat(seen.get("forwarded")).startsWith("for=127.0.0.1;").doesNotContain("203.0.113.7");
    assertThat(seen.get("x-request-id")).matches("[0-9a-f]{32}");
    assertThat(echoedClient("203.0.113.7")).isEqualTo("127.0.0.1");
    assertThat(recordFor("/headers").clientAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void ignoresForwardingHeadersFromAPeerOutsideTheTrustedRanges() throws Exception {
    start("forwarding: { trusted-proxies: [ 10.0.0.0/8 ] }");

    get("/headers", "X-Forwarded-For", "203.0.113.7", "X-Request-Id", "spoofed-id-2");

    HttpHeaders seen = env.origin().lastRequest().headers();
    assertThat(seen.getAll("x-forwarded-for")).containsExactly("127.0.0.1");
    assertThat(seen.get("x-request-id")).isNotEqualTo("spoofed-id-2");
    assertThat(echoedClient("203.0.113.7")).isEqualTo("127.0.0.1");
  }
}
