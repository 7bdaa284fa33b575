package io.portico.plugins.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Client;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import io.portico.testing.RawH2Client;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * request-transformer over real sockets: a recording origin ({@code /echo} answers the body it
 * received, every request head is kept) shows what the gateway sent, for HTTP/1.1 and HTTP/2
 * clients; malformed, oversized and abandoned bodies never reach it, and nothing leaks (the leak
 * detector runs at paranoid and fails the class on a leak).
 */
class RequestTransformerEndToEndTest {

  private static final String KEY = "k-7f3a9c2e5b8d4f1a6c0e3b7d9f2a4c6e";
  private static final ObjectMapper JSON = new ObjectMapper();

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
                custom-id: c-1
                groups: [ admins, staff ]
                credentials:
                  key-auth: { key: "%s" }
            routes:
              - name: edit
                paths: [ "/edit/{id}" ]
                service: backend
                plugins:
                  key-auth: { header-names: [ X-API-Key ] }
                  request-transformer:
                    method: PUT
                    path: /echo
                    query:
                      remove: [ debug ]
                      rename: { q: search }
                      set: { user: "${consumer.name}" }
                      add: { id: "${path_param.id}", keep: "no" }
                    headers:
                      remove: [ X-Debug ]
                      rename: { X-Old: X-New }
                      set: { X-Consumer: "${consumer.custom_id}", X-User-Id: "${body./user/id}" }
                      add: { X-Tenant: default, X-Present: replaced }
                      append: { X-Via: portico }
                    body:
                      remove: [ /password ]
                      rename: { /user/name: /user/full_name }
                      set:
                        /owner: "${consumer.name}"
                        /groups: "${consumer.groups}"
                        /count: { value: "${query.n}", type: number }
                        /items/-: added
                        /meta/route: "${route}"
                      add:
                        /source: gateway
                        /user/id: 999
              - name: wrap
                paths: [ /wrap ]
                service: backend
                plugins:
                  request-transformer:
                    path: /echo
                    body: { wrap: data, convert: json }
              - name: form
                paths: [ /form ]
                service: backend
                plugins:
                  request-transformer:
                    path: /echo
                    body: { set: { /via: gw }, convert: form }
              - name: replace
                paths: [ /replace ]
                service: backend
                plugins:
                  request-transformer:
                    path: /echo
                    body:
                      replace: '{"name": ${body./user/name}, "ip": ${client_ip}, "tag": ${query.tag:-"none"}}'
              - name: small
                paths: [ /small ]
                service: backend
                plugins:
                  request-transformer:
                    path: /echo
                    body: { max-size: 1k, set: { /x: 1 } }
            """
                .formatted(
                    env.origin().authority(),
                    "sha256:"
                        + java.util.HexFormat.of()
                            .formatHex(
                                java.security.MessageDigest.getInstance("SHA-256")
                                    .digest(KEY.getBytes(StandardCharsets.UTF_8)))));
  }

  private static HttpResponse<String> post(String uri, String type, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gw.uri(uri))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static final String USER_BODY =
      "{\"user\":{\"id\":7,\"name\":\"Ann\"},\"password\":\"s3cret\",\"items\":[1]}";

  private static final String EDITED_BODY =
      "{\"user\":{\"id\":7,\"full_name\":\"Ann\"},\"items\":[1,\"added\"],\"owner\":\"alice\","
          + "\"groups\":[\"admins\",\"staff\"],\"count\":12.5,\"meta\":{\"route\":\"edit\"},"
          + "\"source\":\"gateway\"}";

  private static void assertEditedRequestReachedTheOrigin(String received) throws Exception {
    assertThat(JSON.readTree(received)).isEqualTo(JSON.readTree(EDITED_BODY));
    io.netty.handler.codec.http.HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.method().name()).isEqualTo("PUT");
    assertThat(seen.uri()).isEqualTo("/echo?search=a%20b&n=12.5&user=alice&id=42&keep=no");
    assertThat(seen.headers().contains("X-Debug")).isFalse();
    assertThat(seen.headers().contains("X-Old")).isFalse();
    assertThat(seen.headers().get("X-New")).isEqualTo("old");
    assertThat(seen.headers().get("X-Consumer")).isEqualTo("c-1");
    assertThat(seen.headers().get("X-User-Id")).isEqualTo("7");
    assertThat(seen.headers().get("X-Tenant")).isEqualTo("default");
    assertThat(seen.headers().get("X-Present")).isEqualTo("client");
    assertThat(seen.headers().getAll("X-Via")).containsExactly("client-proxy", "portico");
    assertThat(seen.headers().getInt("Content-Length"))
        .isEqualTo(received.getBytes(StandardCharsets.UTF_8).length);
    assertThat(seen.headers().contains("Transfer-Encoding")).isFalse();
  }

  @Test
  void rewritesMethodPathQueryHeadersAndJsonBodyOverHttp11() throws Exception {
    HttpResponse<String> r =
        post(
            "/edit/42?q=a%20b&debug=1&n=12.5",
            "application/json",
            USER_BODY,
            "X-API-Key",
            KEY,
            "X-Debug",
            "1",
            "X-Old",
            "old",
            "X-Present",
            "client",
            "X-Via",
            "client-proxy");

    assertThat(r.statusCode()).isEqualTo(200);
    assertEditedRequestReachedTheOrigin(r.body());
  }

  @Test
  void rewritesTheSameOverHttp2() throws Exception {
    try (H2Client h2 = H2Client.connect(gw.address())) {
      FullHttpRequest request =
          H2Client.request(
              HttpMethod.POST,
              "/edit/42?q=a%20b&debug=1&n=12.5",
              "127.0.0.1:" + gw.port(),
              USER_BODY.getBytes(StandardCharsets.UTF_8));
      request
          .headers()
          .set("content-type", "application/json")
          .set("x-api-key", KEY)
          .set("x-debug", "1")
          .set("x-old", "old")
          .set("x-present", "client")
          .set("x-via", "client-proxy");
      H2Client.Response r = h2.send(request).get(10, TimeUnit.SECONDS);

      assertThat(r.status()).isEqualTo(200);
      assertEditedRequestReachedTheOrigin(r.body());
    }
  }

  @Test
  void answers400NamingTheByteOffsetOfMalformedJson() throws Exception {
    int before = env.origin().requestCount();

    HttpResponse<String> r =
        post("/edit/1", "application/json", "{\"user\": {\"id\": 7,, }}", "X-API-Key", KEY);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    JsonNode problem = JSON.readTree(r.body());
    assertThat(problem.get("type").asText()).endsWith("malformed-request-body");
    assertThat(problem.get("detail").asText())
        .startsWith("The request body is not valid JSON at byte 18:");
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void answers400WhenAValueDoesNotConvertToItsType() throws Exception {
    HttpResponse<String> r = post("/edit/1?n=many", "application/json", "{}", "X-API-Key", KEY);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("detail").asText())
        .isEqualTo("The request body cannot be transformed: \"many\" is not a number.");
  }

  @Test
  void answers400WhenAPointerGoesThroughAValueWithoutMembers() throws Exception {
    HttpResponse<String> r =
        post("/edit/1", "application/json", "{\"meta\": \"text\"}", "X-API-Key", KEY);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("detail").asText())
        .isEqualTo(
            "The request body cannot be transformed: /meta/route: cannot write \"route\" into"
                + " a string.");
  }

  @Test
  void answers413WhenTheBodyIsOverTheCap() throws Exception {
    int before = env.origin().requestCount();

    HttpResponse<String> r = post("/small", "application/json", "[" + "1,".repeat(800) + "1]");

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void leavesABodyOfAnotherTypeAlone() throws Exception {
    HttpResponse<String> r = post("/small", "text/plain", "{\"not\": json");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"not\": json");
  }

  @Test
  void leavesACompressedBodyAlone() throws Exception {
    HttpResponse<String> r = post("/small", "application/json", "opaque", "Content-Encoding", "br");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("opaque");
  }

  @Test
  void wrapsAFormBodyAsJson() throws Exception {
    HttpResponse<String> r =
        post("/wrap", "application/x-www-form-urlencoded", "a=1&b=x+y&b=%C3%A9");

    assertThat(JSON.readTree(r.body()))
        .isEqualTo(JSON.readTree("{\"data\":{\"a\":\"1\",\"b\":[\"x y\",\"é\"]}}"));
    assertThat(env.origin().lastRequest().headers().get("content-type"))
        .isEqualTo("application/json");
  }

  @Test
  void sendsAJsonBodyAsAForm() throws Exception {
    HttpResponse<String> r =
        post("/form", "application/json", "{\"a\":\"x y\",\"n\":2,\"list\":[1,2],\"none\":null}");

    assertThat(r.body()).isEqualTo("a=x%20y&n=2&list=1&list=2&via=gw");
    assertThat(env.origin().lastRequest().headers().get("content-type"))
        .isEqualTo("application/x-www-form-urlencoded");
  }

  @Test
  void answers400WhenAMemberIsSetOnAnArrayBody() throws Exception {
    HttpResponse<String> r = post("/form", "application/json", "[1]");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("detail").asText())
        .isEqualTo(
            "The request body cannot be transformed: /via: cannot write \"via\" into an array.");
  }

  @Test
  void replacesTheBodyFromAJsonTemplate() throws Exception {
    HttpResponse<String> r =
        post("/replace", "application/json", "{\"user\":{\"name\":\"A \\\"quoted\\\" name\"}}");

    assertThat(JSON.readTree(r.body()))
        .isEqualTo(
            JSON.readTree(
                "{\"name\":\"A \\\"quoted\\\" name\",\"ip\":\"127.0.0.1\",\"tag\":\"none\"}"));
  }

  @Test
  void endsQuietlyWhenAnHttp2ClientResetsTheStreamMidBody() throws Exception {
    int before = env.origin().requestCount();
    try (RawH2Client client = new RawH2Client(gw.address())) {
      client
          .preface()
          .headers(
              1,
              false,
              ":method",
              "POST",
              ":scheme",
              "http",
              ":path",
              "/wrap",
              ":authority",
              "127.0.0.1:" + gw.port(),
              "content-type",
              "application/json")
          .data(1, "{\"a\": [1,".getBytes(StandardCharsets.UTF_8), false)
          .flush();
      Thread.sleep(100);
      client.reset(1).flush();

      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  gw.records().stream()
                      .anyMatch(
                          r ->
                              "wrap".equals(r.route())
                                  && "downstream_closed".equals(r.failure())
                                  && "HTTP/2.0".equals(r.protocol())));
    }
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void endsQuietlyWhenTheClientLeavesMidBody() throws Exception {
    int before = env.origin().requestCount();
    try (RawClient raw = gw.raw()) {
      raw.send(
          "POST /wrap HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + "Content-Length: 10000\r\n\r\n{\"a\": [");
      raw.send("1,".repeat(500));
      Thread.sleep(100);
    }

    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                gw.records().stream()
                    .anyMatch(
                        r -> "wrap".equals(r.route()) && "downstream_closed".equals(r.failure())));
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }
}
