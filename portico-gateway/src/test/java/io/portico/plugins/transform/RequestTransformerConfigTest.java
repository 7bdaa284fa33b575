package io.portico.plugins.transform;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.ConfigLoader;
import io.portico.config.LoadResult;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** request-transformer's config as the loader reads it: every problem at once, with its place. */
class RequestTransformerConfigTest {

  private final RequestTransformerFactory factory = new RequestTransformerFactory();

  /** Parses {@code yaml} (the plugin's section) as the gateway does: parse, then finish. */
  private List<String> problems(String yaml) {
    LoadResult loaded = ConfigLoader.withEnvironment(Map.of()).load(yaml, "rt.yaml");
    assertThat(loaded.problems().isEmpty()).as(loaded.problems().render()).isTrue();
    Problems problems = new Problems();
    ConfigReader reader =
        ConfigReader.of(loaded.root().fields().get("request-transformer"), problems);
    factory.parse(reader);
    reader.finish();
    return problems.list().stream().map(Problem::toString).toList();
  }

  @Test
  void acceptsAFullConfig() {
    assertThat(
            problems(
                """
                request-transformer:
                  method: PATCH
                  path: "/v2/users/${path_param.id}"
                  query: { remove: [a], rename: { b: c }, set: { d: "${query.e}" }, add: { f: g } }
                  headers:
                    remove: [X-A]
                    rename: { X-B: X-C }
                    set: { X-D: "${claim.sub}" }
                    add: { X-E: e }
                    append: { X-F: f }
                  body:
                    max-size: 64k
                    remove: [ /a ]
                    rename: { /b: /c/d }
                    set: { /n: 5, /t: true, /z: null, /s: "${body./x}", /j: { value: "${header.X}", type: json } }
                    add: { /items/-: x }
                    wrap: data
                    convert: form
                """))
        .isEmpty();
  }

  @Test
  void reportsEveryProblemWithItsPlace() {
    assertThat(
            problems(
                """
                request-transformer:
                  method: "GET POST"
                  path: "v2/${status}"
                  query: { set: { "": x } }
                  headers:
                    set: { Content-Length: "1", X-A: "${nope}" }
                    rename: { X-B: "bad name" }
                  body:
                    remove: [ user ]
                    set:
                      /n: { value: "${body./n}", type: integer }
                      /m: "${body.m}"
                    replace: '{"a": ${body./a}'
                    convert: xml
                    extra: 1
                """))
        .containsExactly(
            "rt.yaml:2:11: request-transformer.method: \"GET POST\" (expected: an HTTP method"
                + " such as GET, POST, PUT, PATCH or DELETE)",
            "rt.yaml:3:13: request-transformer.path: ${status} is not available in a request"
                + " template with the JSON body (expected: one of ${request_id}, ${client_ip},"
                + " ${route}, ${service}, ${method}, ${path}, ${path_param.NAME}, ${query.NAME},"
                + " ${header.NAME}, ${consumer.name}, ${consumer.custom_id}, ${consumer.groups},"
                + " ${claim.NAME}, ${body./POINTER})",
            "rt.yaml:4:23: request-transformer.query.set.: \"\" (expected: a query parameter"
                + " name)",
            "rt.yaml:7:20: request-transformer.headers.rename.X-B: \"bad name\" (expected: a"
                + " header name: letters, digits and !#$%&'*+-.^_`|~)",
            "rt.yaml:6:28: request-transformer.headers.set.Content-Length: \"Content-Length\""
                + " (expected: a header the gateway does not manage: not Connection,"
                + " Content-Length, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding"
                + " or Upgrade)",
            "rt.yaml:6:39: request-transformer.headers.set.X-A: unknown variable ${nope}"
                + " (expected: one of ${request_id}, ${client_ip}, ${route}, ${service},"
                + " ${method}, ${path}, ${path_param.NAME}, ${query.NAME}, ${header.NAME},"
                + " ${consumer.name}, ${consumer.custom_id}, ${consumer.groups}, ${claim.NAME},"
                + " ${body./POINTER})",
            "rt.yaml:9:15: request-transformer.body.remove[0]: \"user\" (expected: a JSON"
                + " Pointer such as /user/id: \"/\" before each member, ~0 for ~ and ~1 for /)",
            "rt.yaml:11:40: request-transformer.body.set./n.type: \"integer\" (expected: one of"
                + " string, number, boolean, json)",
            "rt.yaml:12:12: request-transformer.body.set./m: ${body.m}: \"m\" (expected: a JSON"
                + " Pointer such as /user/id: \"/\" before each member, ~0 for ~ and ~1 for /)",
            "rt.yaml:13:14: request-transformer.body.replace: \"{\"a\": ${body./a}\" (expected:"
                + " JSON text once each variable is replaced by its value (Unexpected end-of-input:"
                + " expected close marker for Object))",
            "rt.yaml:13:14: request-transformer.body.replace: replace (expected: alone, without"
                + " remove, rename, set, add or wrap: the template builds the whole body)",
            "rt.yaml:14:14: request-transformer.body.convert: \"xml\" (expected: one of json,"
                + " form)",
            "rt.yaml:15:5: request-transformer.body.extra: unknown key \"extra\" (expected one"
                + " of: add, convert, max-size, remove, rename, replace, set, wrap)");
  }

  @Test
  void reportsAConfigWithoutEdits() {
    assertThat(problems("request-transformer: {}\n"))
        .containsExactly(
            "rt.yaml:1:22: request-transformer: no edits (expected: at least one of method,"
                + " path, query, headers or body)");
  }
}
