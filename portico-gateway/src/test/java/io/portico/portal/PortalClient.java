package io.portico.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.ConsoleBrowser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An HTTP client of the portal's API for tests: sign-in, calls with a session, checked answers. */
final class PortalClient {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String PASSWORD = ConsoleBrowser.PASSWORD;

  /** A signed-in browser: its session cookie and CSRF token. */
  record Session(String cookie, String csrf) {}

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final Function<String, URI> base;

  PortalClient(Function<String, URI> base) {
    this.base = base;
  }

  HttpResponse<String> call(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.apply(path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> as(Session who, String method, String path, String body) throws Exception {
    List<String> h = new ArrayList<>(List.of("Cookie", "portico_session=" + who.cookie()));
    if (!method.equals("GET")) {
      h.add("X-CSRF-Token");
      h.add(who.csrf());
    }
    return call(method, path, body, h.toArray(String[]::new));
  }

  /** Makes the account {@code name} with {@code role} and {@link #PASSWORD}, as {@code by}. */
  void account(Session by, String name, String role) throws Exception {
    ok(
        as(
            by,
            "POST",
            "/accounts",
            JSON.createObjectNode()
                .put("name", name)
                .put("role", role)
                .put("password", PASSWORD)
                .toString()),
        201);
  }

  /** Makes the application {@code name} as {@code dev}, expecting 201, and returns its id. */
  String application(Session dev, String name) throws Exception {
    return ok(
            as(
                dev,
                "POST",
                "/portal/api/applications",
                JSON.createObjectNode().put("name", name).toString()),
            201)
        .get("id")
        .asText();
  }

  /**
   * Subscribes the application {@code app} to {@code api} under {@code plan} as {@code dev},
   * expecting 201, and returns the subscription.
   */
  JsonNode subscribe(Session dev, String app, String api, String plan) throws Exception {
    return ok(
        as(
            dev,
            "POST",
            "/portal/api/applications/" + app + "/subscriptions",
            JSON.createObjectNode().put("api", api).put("plan", plan).toString()),
        201);
  }

  /** Issues a key of the application {@code app} as {@code dev}, expecting 201, and returns it. */
  String key(Session dev, String app) throws Exception {
    return ok(as(dev, "POST", "/portal/api/applications/" + app + "/keys", null), 201)
        .get("key")
        .asText();
  }

  Session signIn(String name) throws Exception {
    HttpResponse<String> r =
        call(
            "POST",
            "/auth/sign-in",
            JSON.createObjectNode().put("name", name).put("password", PASSWORD).toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Matcher m =
        Pattern.compile("portico_session=([^;]*)")
            .matcher(r.headers().firstValue("Set-Cookie").orElseThrow());
    assertThat(m.find()).isTrue();
    return new Session(m.group(1), JSON.readTree(r.body()).get("csrf_token").asText());
  }

  static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  /** Asserts a problem+json answer of {@code status} and {@code type}. */
  static JsonNode problem(HttpResponse<String> r, int status, String type) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode n = JSON.readTree(r.body());
    assertThat(n.get("type").asText()).as(r.body()).endsWith(type);
    return n;
  }
}
