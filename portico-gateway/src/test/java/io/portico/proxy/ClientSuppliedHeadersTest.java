package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a client that is not a trusted proxy cannot make an upstream believe: identity, framing,
 * routing and forwarding fields smuggled in request trailers, a transfer coding list that an
 * upstream may read as "no body", and the client-address and path-override headers that only a
 * proxy may set. Raw sockets against a real gateway and a real origin.
 */
class ClientSuppliedHeadersTest {

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            consumers:
              - name: alice
                groups: [ staff ]
                credentials:
                  key-auth: { key: "sha256:72ee9d4355ccb9d3a4c9dbf37382e38e75c1b1a225b5bd1f729ee91bbda30c20" }
            routes:
              - name: private
                paths: [ "/private" ]
                strip-prefix: true
                service: backend
                plugins:
                  key-auth: { header-names: [ X-API-Key ] }
              - name: all
                paths: [ "/" ]
                service: backend
            """
                .formatted(env.origin().authority()));
  }

  private static HttpRequest forwarded(String raw) throws Exception {
    int before = env.origin().requestCount();
    try (RawClient c = gw.raw()) {
      String got = c.send(raw).readUntil("\r\n\r\n", 3000);
      assertThat(got).startsWith("HTTP/1.1 200");
    }
    assertThat(env.origin().requestCount()).isEqualTo(before + 1);
    return env.origin().lastRequest();
  }

  @Test
  void dropsIdentityFramingAndForwardingFieldsFromRequestTrailers() throws Exception {
    forwarded(
        "POST /private/count HTTP/1.1\r\nHost: x\r\nX-API-Key: alice-key\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n"
            + "3\r\nabc\r\n0\r\n"
            + "X-Consumer-Name: admin\r\nX-Consumer-Groups: admins\r\nX-Credential-Id: root\r\n"
            + "Host: internal.example\r\nX-Forwarded-For: 10.0.0.1\r\nForwarded: for=10.0.0.1\r\n"
            + "X-Real-IP: 10.0.0.1\r\nAuthorization: Bearer forged\r\nCookie: s=1\r\n"
            + "Connection: close\r\nUpgrade: websocket\r\nX-Request-Id: forged\r\n"
            + "X-Checksum: 900150983cd24fb0\r\n\r\n");
    HttpHeaders trailers = env.origin().lastTrailers();
    assertThat(trailers.names())
        .as("only the client's own trailer is forwarded")
        .map(n -> n.toLowerCase(java.util.Locale.ROOT))
        .containsExactly("x-checksum");
    assertThat(trailers.get("x-checksum")).isEqualTo("900150983cd24fb0");
  }

  @Test
  void dropsViaFromRequestTrailers() throws Exception {
    // the gateway's own Via entry ends the head's Via; merged from a trailer, a forged one would
    // follow it and name another proxy as the last hop
    HttpRequest head =
        forwarded(
            "POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n0\r\nVia: 1.1 edge.example\r\nX-Checksum: 1\r\n\r\n");
    assertThat(head.headers().getAll("via")).isNotEmpty();
    assertThat(env.origin().lastTrailers().names())
        .map(n -> n.toLowerCase(java.util.Locale.ROOT))
        .containsExactly("x-checksum");
  }

  @Test
  void dropsIdentityFieldsFromTrailersOnRoutesWithoutAuthentication() throws Exception {
    forwarded(
        "POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3\r\nabc\r\n0\r\nX-Consumer-Name: admin\r\nX-Anonymous-Consumer: false\r\n\r\n");
    assertThat(env.origin().lastTrailers().isEmpty()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "identity, chunked",
        "identity,chunked",
        "gzip, chunked",
        "foo, chunked",
        ", chunked",
        "chunked, chunked"
      })
  void refusesATransferCodingListOtherThanChunkedAlone(String codings) throws Exception {
    int before = env.origin().requestCount();
    try (RawClient c = gw.raw()) {
      // A lax upstream that reads the first coding, identity, reads no body, and the chunks
      // would be a second request of the attacker's on the gateway's pooled connection.
      String smuggled = "GET /private/x HTTP/1.1\r\nHost: x\r\n\r\n";
      String got =
          c.send(
                  "POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                      + codings
                      + "\r\n\r\n"
                      + Integer.toHexString(smuggled.length())
                      + "\r\n"
                      + smuggled
                      + "\r\n0\r\n\r\n")
              .readUntil("}", 3000);
      assertThat(got).startsWith("HTTP/1.1 400");
      assertThat(got).contains("application/problem+json");
      assertThat(c.closedByServer(2000)).isTrue();
    }
    Thread.sleep(50);
    assertThat(env.origin().requestCount()).as("nothing forwarded").isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a\";for=\"6.6.6.6",
        "x,for=6.6.6.6",
        "x:99999",
        "x:",
        "[zz]",
        "[::1]x",
        "x%41",
        "x=y"
      })
  void refusesAnAbsoluteFormAuthorityThatIsNotAHost(String authority) throws Exception {
    // It would become Host, X-Forwarded-Host and the host= of Forwarded, where a quote or a
    // semicolon adds a for= of the client's choosing.
    int before = env.origin().requestCount();
    try (RawClient c = gw.raw()) {
      String got =
          c.send("GET http://" + authority + "/hello HTTP/1.1\r\nHost: x\r\n\r\n")
              .readUntil("}", 3000);
      assertThat(got).startsWith("HTTP/1.1 400");
      assertThat(got).contains("request-target authority");
    }
    Thread.sleep(50);
    assertThat(env.origin().requestCount()).as("nothing forwarded").isEqualTo(before);
  }

  @Test
  void routesAnAbsoluteFormTargetByItsValidAuthority() throws Exception {
    HttpRequest r = forwarded("GET http://api.example:8080/hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(r.headers().get("x-forwarded-host")).isEqualTo("api.example:8080");
  }

  @Test
  void forwardsChunkedInAnyCaseAsChunked() throws Exception {
    HttpRequest r =
        forwarded(
            "POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  Chunked \r\n\r\n"
                + "3\r\nabc\r\n0\r\n\r\n");
    assertThat(r.headers().getAll("transfer-encoding")).containsExactly("chunked");
  }

  @Test
  void replacesClientAddressAndPathOverrideHeadersOfAnUntrustedClient() throws Exception {
    HttpRequest r =
        forwarded(
            "GET /hello HTTP/1.1\r\nHost: x\r\n"
                + "X-Real-IP: 6.6.6.6\r\nX-Client-IP: 6.6.6.6\r\nTrue-Client-IP: 6.6.6.6\r\n"
                + "X-Cluster-Client-IP: 6.6.6.6\r\n"
                + "X-Forwarded-Prefix: /evil\r\nX-Forwarded-Server: evil\r\n"
                + "X-Forwarded-Ssl: on\r\nX-Forwarded-Scheme: https\r\n"
                + "X-Original-URL: /private/x\r\nX-Rewrite-URL: /private/x\r\n"
                + "X-Kept: yes\r\n\r\n");
    HttpHeaders h = r.headers();
    for (String name :
        new String[] {
          "x-real-ip",
          "x-client-ip",
          "true-client-ip",
          "x-cluster-client-ip",
          "x-forwarded-prefix",
          "x-forwarded-server",
          "x-forwarded-ssl",
          "x-forwarded-scheme",
          "x-original-url",
          "x-rewrite-url"
        }) {
      assertThat(h.contains(name)).as(name).isFalse();
    }
    assertThat(h.get("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(h.get("x-forwarded-proto")).isEqualTo("http");
    assertThat(h.get("x-kept")).isEqualTo("yes");
  }

  @Test
  void anAuthenticatedClientCannotReplaceItsIdentityHeaders() throws Exception {
    HttpRequest r =
        forwarded(
            "GET /private/hello HTTP/1.1\r\nHost: x\r\nX-API-Key: alice-key\r\n"
                + "X-Consumer-Name: admin\r\nX-Consumer-Groups: admins\r\n"
                + "Connection: X-Consumer-Name, X-Consumer-Groups, X-Credential-Id\r\n\r\n");
    assertThat(r.headers().getAll("x-consumer-name")).containsExactly("alice");
    assertThat(r.headers().getAll("x-consumer-groups")).containsExactly("staff");
  }
}
