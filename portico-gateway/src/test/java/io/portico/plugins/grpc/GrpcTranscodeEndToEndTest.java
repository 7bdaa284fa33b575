package io.portico.plugins.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.grpc.testing.library.CreateBookRequest;
import io.portico.grpc.testing.library.GetBookRequest;
import io.portico.plugin.PluginRegistry;
import io.portico.snapshot.ReloadResult;
import io.portico.testing.GatewayFixture;
import io.portico.testing.LeakCheckExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grpc-transcode} against a real grpc-java server over h2c, with the descriptor set protoc
 * built from the tests' library.proto: bindings with path variables (nested, multi-segment), query
 * parameters, field and whole bodies, server streaming as NDJSON and server-sent events, gRPC
 * errors as problems with their details, bad JSON as 400 naming the field, and a descriptor set
 * that does not parse as a config error.
 */
@ExtendWith(LeakCheckExtension.class)
class GrpcTranscodeEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private LibraryServer server;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    server = new LibraryServer();
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    server.close();
  }

  static Path descriptors() throws Exception {
    return Path.of(GrpcTranscodeEndToEndTest.class.getResource("/grpc/descriptors.pb").toURI());
  }

  private String config(String pluginExtra) throws Exception {
    return """
        services:
          - name: library
            targets: [ "127.0.0.1:%d" ]
            protocol: h2c
        routes:
          - name: library
            paths: [ /v1/ ]
            service: library
            plugins:
              grpc-transcode:
                descriptor-set: %s
                services: [ library.v1.Library ]
        %s
        """
        .formatted(server.port(), descriptors(), pluginExtra.indent(8));
  }

  private GatewayFixture gateway(String pluginExtra) throws Exception {
    GatewayFixture gw = GatewayFixture.start(config(pluginExtra));
    closing.add(gw);
    return gw;
  }

  private static HttpResponse<String> send(
      GatewayFixture gw, String method, String path, String body) throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.uri(path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("content-type", "application/json"));
  }

  @Test
  void getWithNestedPathVariableAndQueryParametersCallsTheUnaryMethod() throws Exception {
    GatewayFixture gw = gateway("");

    HttpResponse<String> r =
        gw.get("/v1/shelves/7/books/42?withReviews=true&fields=a&fields=b&paging.offset=3");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode book = JSON.readTree(r.body());
    assertThat(book.get("name").asText()).isEqualTo("shelves/7/books/42");
    assertThat(book.get("title").asText()).isEqualTo("reviews=true fields=[a, b] offset=3");
    assertThat(r.headers().map()).doesNotContainKeys("grpc-status", "grpc-message");
    GetBookRequest sent = (GetBookRequest) server.requests.get(0);
    assertThat(sent.getName()).isEqualTo("shelves/7/books/42");
    assertThat(
            server
                .calls
                .get(0)
                .get(
                    io.grpc.Metadata.Key.of(
                        "content-type", io.grpc.Metadata.ASCII_STRING_MARSHALLER)))
        .startsWith("application/grpc");
    await()
        .untilAsserted(
            () ->
                assertThat(gw.records())
                    .last()
                    .satisfies(rec -> assertThat(rec.status()).isEqualTo(200)));
  }

  @Test
  void postWithAFieldBodyAndQueryParameterBuildsTheRequestMessage() throws Exception {
    GatewayFixture gw = gateway("");

    HttpResponse<String> r =
        send(
            gw,
            "POST",
            "/v1/shelves/7/books?bookId=dune",
            "{\"title\":\"Dune\",\"authorName\":\"Herbert\",\"pages\":412,\"genre\":\"FICTION\"}");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode book = JSON.readTree(r.body());
    assertThat(book.get("name").asText()).isEqualTo("shelves/7/books/dune");
    assertThat(book.get("authorName").asText()).isEqualTo("Herbert");
    assertThat(book.get("pages").asInt()).isEqualTo(412);
    assertThat(book.get("genre").asText()).isEqualTo("FICTION");
    CreateBookRequest sent = (CreateBookRequest) server.requests.get(0);
    assertThat(sent.getParent()).isEqualTo("shelves/7");
    assertThat(sent.getBookId()).isEqualTo("dune");
  }

  @Test
  void patchFillsANestedFieldFromThePathOverTheBody() throws Exception {
    GatewayFixture gw = gateway("");

    HttpResponse<String> r =
        send(gw, "PATCH", "/v1/shelves/1/books/2", "{\"name\":\"ignored\",\"title\":\"New\"}");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode book = JSON.readTree(r.body());
    assertThat(book.get("name").asText()).isEqualTo("shelves/1/books/2");
    assertThat(book.get("title").asText()).isEqualTo("New");
  }

  @Test
  void postWithTheWholeBodyAndItsAdditionalGetBinding() throws Exception {
    GatewayFixture gw =
        gateway(
            "print-enum-as-int: true\npreserve-proto-field-names: true\nalways-print-primitive-fields: true");

    HttpResponse<String> r =
        send(
            gw,
            "POST",
            "/v1/books:search",
            "{\"query\":\"dune\",\"limit\":2,\"genre\":\"HISTORY\"}");
    HttpResponse<String> get = gw.get("/v1/books:search?query=x&limit=1");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode found = JSON.readTree(r.body());
    assertThat(found.get("total").asText()).isEqualTo("2");
    assertThat(found.get("books")).hasSize(2);
    assertThat(found.get("books").get(1).get("title").asText()).isEqualTo("dune 1");
    assertThat(found.get("books").get(1).get("genre").asInt()).isEqualTo(2);
    assertThat(found.get("books").get(0).has("author_name")).isTrue();
    assertThat(found.get("books").get(0).get("pages").asInt()).isZero();
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(get.body()).get("books").get(0).get("title").asText())
        .isEqualTo("x 0");
  }

  @Test
  void deleteAnswersTheEmptyMessage() throws Exception {
    GatewayFixture gw = gateway("");

    HttpResponse<String> r = send(gw, "DELETE", "/v1/shelves/1/books/2", null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{}");
  }

  @Test
  void serverStreamingIsDeliveredAsNdjsonOneLinePerMessage() throws Exception {
    GatewayFixture gw = gateway("");

    HttpResponse<String> r = gw.get("/v1/shelves/3/books:stream?count=3");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/x-ndjson");
    String[] lines = r.body().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(JSON.readTree(lines[2]).get("name").asText()).isEqualTo("shelves/3/books/2");
    assertThat(r.body()).endsWith("\n");
  }

  @Test
  void serverStreamingIsDeliveredAsServerSentEvents() throws Exception {
    GatewayFixture gw = gateway("stream-format: sse");

    HttpResponse<String> r = gw.get("/v1/shelves/3/books:stream?count=2");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(r.body())
        .isEqualTo(
            "data: {\"name\":\"shelves/3/books/0\"}\n\ndata: {\"name\":\"shelves/3/books/1\",\"pages\":1}\n\n");
  }

  @Test
  void aStreamThatFailsAfterMessagesEndsWithAnErrorLine() throws Exception {
    GatewayFixture gw = gateway("");

    HttpResponse<String> r = gw.get("/v1/shelves/3/books:stream?count=-2");

    assertThat(r.statusCode()).isEqualTo(200);
    String[] lines = r.body().split("\n");
    assertThat(lines).hasSize(3);
    JsonNode error = JSON.readTree(lines[2]).get("error");
    assertThat(error.get("title").asText()).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(error.get("status").asInt()).isEqualTo(429);
    assertThat(error.get("detail").asText()).isEqualTo("shelf quota spent");
  }

  @Test
  void aGrpcErrorIsAProblemWithTheMappedStatusAndTheStatusDetails() throws Exception {
    GatewayFixture gw = gateway("");

    HttpResponse<String> r = gw.get("/v1/shelves/7/books/missing");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    JsonNode problem = JSON.readTree(r.body());
    assertThat(problem.get("title").asText()).isEqualTo("NOT_FOUND");
    assertThat(problem.get("grpc_status").asInt()).isEqualTo(5);
    assertThat(problem.get("detail").asText()).isEqualTo("no book shelves/7/books/missing");
    JsonNode detail = problem.get("details").get(0);
    assertThat(detail.get("@type").asText()).isEqualTo("type.googleapis.com/google.rpc.ErrorInfo");
    assertThat(detail.get("reason").asText()).isEqualTo("BOOK_NOT_FOUND");
    assertThat(detail.get("metadata").get("name").asText()).isEqualTo("shelves/7/books/missing");
    await()
        .untilAsserted(
            () ->
                assertThat(gw.records())
                    .last()
                    .satisfies(rec -> assertThat(rec.status()).isEqualTo(404)));
  }

  @Test
  void aFieldOfTheWrongTypeIsA400NamingTheField() throws Exception {
    GatewayFixture gw = gateway("");

    HttpResponse<String> wrongType =
        send(gw, "POST", "/v1/shelves/7/books?bookId=x", "{\"title\":\"Dune\",\"pages\":\"many\"}");
    HttpResponse<String> unknown =
        send(gw, "POST", "/v1/books:search", "{\"query\":\"q\",\"colour\":\"red\"}");
    HttpResponse<String> notJson = send(gw, "POST", "/v1/books:search", "{\"query\": ");
    HttpResponse<String> badQuery = gw.get("/v1/shelves/7/books/1?nope=1");
    HttpResponse<String> badEnum = gw.get("/v1/books:search?genre=POETRY");

    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(wrongType.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(JSON.readTree(wrongType.body()).get("detail").asText())
        .startsWith("field \"book.pages\":");
    assertThat(JSON.readTree(unknown.body()).get("detail").asText())
        .startsWith("field \"colour\":");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(notJson.body()).get("detail").asText()).contains("not valid JSON");
    assertThat(badQuery.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badQuery.body()).get("detail").asText()).contains("\"nope\"");
    assertThat(badEnum.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badEnum.body()).get("detail").asText()).startsWith("field \"genre\":");
    assertThat(server.requests).isEmpty();
  }

  @Test
  void unknownQueryParametersAreIgnoredWhenConfigured() throws Exception {
    GatewayFixture gw = gateway("ignore-unknown-query-params: true");

    HttpResponse<String> r = gw.get("/v1/shelves/7/books/1?nope=1&withReviews=true");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("title").asText()).startsWith("reviews=true");
  }

  @Test
  void aPathNoBindingMatchesIsA404() throws Exception {
    GatewayFixture gw = gateway("");

    HttpResponse<String> r = gw.get("/v1/shelves/7");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("No gRPC method is bound to GET /v1/shelves/7");
    assertThat(server.requests).isEmpty();
  }

  @Test
  void aDescriptorSetThatDoesNotParseIsAConfigErrorAtItsKey() throws Exception {
    Path bad = Files.write(dir.resolve("bad.pb"), new byte[] {(byte) 0xff, 0x01, 0x02});
    String yaml =
        """
        services:
          - name: library
            targets: [ "127.0.0.1:1" ]
            protocol: h2c
        routes:
          - name: library
            paths: [ /v1/ ]
            service: library
            plugins:
              grpc-transcode:
                descriptor-set: %s
                services: [ library.v1.Nope ]
        """
            .formatted(bad);

    ConfigResult result =
        ConfigFiles.parse(
            yaml, "portico.yaml", dir, Map.of(), PluginRegistry.load(getClass().getClassLoader()));

    assertThat(result.ok()).isFalse();
    assertThat(result.problems().render())
        .contains("portico.yaml:11")
        .contains("routes[0].plugins.grpc-transcode.descriptor-set")
        .contains("is not a protobuf FileDescriptorSet");

    ConfigResult unknownService =
        ConfigFiles.parse(
            yaml.replace(bad.toString(), descriptors().toString()),
            "portico.yaml",
            dir,
            Map.of(),
            PluginRegistry.load(getClass().getClassLoader()));
    assertThat(unknownService.problems().render())
        .contains("\"library.v1.Nope\" is not a service of");
  }

  @Test
  void aReloadRereadsTheDescriptorSetAndKeepsTheLastGoodOneWhenItBreaks() throws Exception {
    Path copy = Files.copy(descriptors(), dir.resolve("library.pb"));
    GatewayFixture gw =
        closingFixture(config("").replace(descriptors().toString(), copy.toString()));
    assertThat(gw.get("/v1/shelves/1/books/1").statusCode()).isEqualTo(200);

    Files.write(copy, new byte[] {0x0a, 0x7f});
    gw.rewriteConfig(
        config("stream-format: sse").replace(descriptors().toString(), copy.toString()));
    ReloadResult failed = gw.gateway().reload();

    assertThat(failed.applied()).isFalse();
    assertThat(failed.problems().render()).contains("descriptor-set");
    assertThat(gw.get("/v1/shelves/1/books/1").statusCode()).isEqualTo(200);

    Files.copy(descriptors(), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(gw.gateway().reload().applied()).isTrue();
    assertThat(gw.get("/v1/shelves/3/books:stream?count=1").body()).startsWith("data: ");
  }

  private GatewayFixture closingFixture(String yaml) throws Exception {
    GatewayFixture gw = GatewayFixture.start(yaml);
    closing.add(gw);
    return gw;
  }

  @Test
  void theExampleConfigIsValidWithItsDescriptorSetBuilt() throws Exception {
    Path examples = Path.of("").toAbsolutePath().getParent().resolve("examples");
    // Where the build of examples/grpc-library writes the descriptor set, beside the config.
    Path built = dir.resolve("grpc-library/target/descriptors/library.pb");
    Files.createDirectories(built.getParent());
    Files.copy(descriptors(), built);
    Path file = Files.copy(examples.resolve("grpc-transcode.yaml"), dir.resolve("portico.yaml"));

    ConfigResult result =
        ConfigFiles.load(file, Map.of(), PluginRegistry.load(getClass().getClassLoader()));

    assertThat(result.problems().render()).isEmpty();
    assertThat(Files.readString(examples.resolve("grpc/library.proto")))
        .contains("service Library", "google.api.http");
  }
}
