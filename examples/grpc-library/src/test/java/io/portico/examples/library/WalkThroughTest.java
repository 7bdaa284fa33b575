package io.portico.examples.library;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testkit.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/grpc.md's transcoding walk-through, call by call: this module's server behind a real gateway
 * running examples/grpc-transcode.yaml, with the descriptor set this build wrote. Only the
 * addresses change (an ephemeral listener port, the server's port) and the descriptor set's path
 * becomes absolute, because the gateway reads the config from a copy.
 */
class WalkThroughTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLE = Path.of("../grpc-transcode.yaml");
  private static final Path DESCRIPTORS = Path.of("target/descriptors/library.pb").toAbsolutePath();

  private LibraryServer server;
  private TestGateway gateway;

  @BeforeEach
  void start() throws Exception {
    server = LibraryServer.start(0);
    String yaml = Files.readString(EXAMPLE);
    yaml = replace(yaml, "address: \":8080\"", "address: \"127.0.0.1:0\"");
    yaml = replace(yaml, "\"127.0.0.1:50051\"", "\"127.0.0.1:" + server.port() + "\"");
    yaml =
        replace(
            yaml,
            "descriptor-set: grpc-library/target/descriptors/library.pb",
            "descriptor-set: " + DESCRIPTORS);
    gateway = TestGateway.start(yaml);
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    server.close();
  }

  /**
   * {@code text} with {@code from} replaced, which it must contain: the example's shape is known.
   */
  private static String replace(String text, String from, String to) {
    assertThat(text).as("examples/grpc-transcode.yaml").contains(from);
    return text.replace(from, to);
  }

  /**
   * As {@code curl -X POST url -d body} sends it: a form content type, which the plugin ignores.
   */
  private HttpResponse<String> post(String pathAndQuery, String body) {
    return gateway.send(
        HttpRequest.newBuilder(gateway.uri(pathAndQuery))
            .header("content-type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  @Test
  void getReadsTheBookTheLibraryStartsWith() throws Exception {
    HttpResponse<String> r = gateway.get("/v1/shelves/7/books/42?withReviews=true&paging.offset=3");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(JSON.readTree(r.body()))
        .isEqualTo(
            JSON.readTree(
                """
                {"name":"shelves/7/books/42","title":"The Left Hand of Darkness",
                 "authorName":"Ursula K. Le Guin","pages":304,"genre":"FICTION","tags":["classic"]}
                """));
  }

  @Test
  void postCreatesTheBookFromTheBodyAndTheQueryAndGetReadsItBack() throws Exception {
    String dune =
        """
        {"name":"shelves/7/books/dune","title":"Dune","authorName":"Herbert","pages":412,\
        "genre":"FICTION"}""";

    HttpResponse<String> created =
        post(
            "/v1/shelves/7/books?bookId=dune",
            "{\"title\":\"Dune\",\"authorName\":\"Herbert\",\"pages\":412,\"genre\":\"FICTION\"}");
    HttpResponse<String> read = gateway.get("/v1/shelves/7/books/dune");
    HttpResponse<String> again = post("/v1/shelves/7/books?bookId=dune", "{\"title\":\"Dune\"}");

    assertThat(created.statusCode()).isEqualTo(200);
    assertThat(created.body()).isEqualTo(dune);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.body()).isEqualTo(dune);
    assertThat(again.statusCode()).isEqualTo(409);
    JsonNode problem = JSON.readTree(again.body());
    assertThat(problem.get("title").asText()).isEqualTo("ALREADY_EXISTS");
    assertThat(problem.get("details").get(0).get("reason").asText())
        .isEqualTo("BOOK_ALREADY_EXISTS");
  }

  @Test
  void aServerStreamIsOneJsonLinePerMessage() {
    HttpResponse<String> r = gateway.get("/v1/shelves/3/books:stream?count=2");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/x-ndjson");
    assertThat(r.body())
        .isEqualTo(
            "{\"name\":\"shelves/3/books/0\"}\n{\"name\":\"shelves/3/books/1\",\"pages\":1}\n");
  }

  @Test
  void aMissingBookIsA404ProblemWithTheErrorInfoDetail() throws Exception {
    HttpResponse<String> r = gateway.get("/v1/shelves/7/books/missing");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    JsonNode problem = JSON.readTree(r.body());
    assertThat(problem.get("type").asText())
        .isEqualTo("https://portico.dev/problems/grpc-not-found");
    assertThat(problem.get("title").asText()).isEqualTo("NOT_FOUND");
    assertThat(problem.get("status").asInt()).isEqualTo(404);
    assertThat(problem.get("detail").asText()).isEqualTo("no book shelves/7/books/missing");
    assertThat(problem.get("grpc_status").asInt()).isEqualTo(5);
    JsonNode detail = problem.get("details").get(0);
    assertThat(detail.get("@type").asText()).isEqualTo("type.googleapis.com/google.rpc.ErrorInfo");
    assertThat(detail.get("reason").asText()).isEqualTo("BOOK_NOT_FOUND");
    assertThat(detail.get("domain").asText()).isEqualTo("library.example");
    assertThat(detail.get("metadata").get("name").asText()).isEqualTo("shelves/7/books/missing");
  }

  @Test
  void aFieldOfTheWrongTypeIsA400NamingTheFieldBeforeAnyCall() throws Exception {
    HttpResponse<String> r = post("/v1/shelves/7/books?bookId=x", "{\"pages\":\"many\"}");
    HttpResponse<String> notCreated = gateway.get("/v1/shelves/7/books/x");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    JsonNode problem = JSON.readTree(r.body());
    assertThat(problem.get("type").asText())
        .isEqualTo("https://portico.dev/problems/grpc-transcode-bad-request");
    assertThat(problem.get("title").asText()).isEqualTo("Bad Request");
    assertThat(problem.get("detail").asText())
        .isEqualTo("field \"book.pages\": Not an int32 value: \"many\"");
    assertThat(notCreated.statusCode()).isEqualTo(404);
  }

  @Test
  void theOtherMethodsUpdateSearchAndDelete() throws Exception {
    HttpResponse<String> badId = post("/v1/shelves/7/books?bookId=Not%20An%20Id", "{}");
    HttpResponse<String> patched =
        gateway.send(
            HttpRequest.newBuilder(gateway.uri("/v1/shelves/7/books/42?updateMask=pages"))
                .header("content-type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"pages\": 310}")));
    HttpResponse<String> badMask =
        gateway.send(
            HttpRequest.newBuilder(gateway.uri("/v1/shelves/7/books/42?updateMask=name"))
                .header("content-type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"name\": \"x\"}")));
    HttpResponse<String> search = gateway.get("/v1/books:search?query=le%20guin");
    HttpResponse<String> deleted =
        gateway.send(HttpRequest.newBuilder(gateway.uri("/v1/shelves/7/books/42")).DELETE());
    HttpResponse<String> gone = gateway.get("/v1/shelves/7/books/42");

    assertThat(badId.statusCode()).isEqualTo(400);
    JsonNode violation = JSON.readTree(badId.body()).get("details").get(0);
    assertThat(violation.get("@type").asText())
        .isEqualTo("type.googleapis.com/google.rpc.BadRequest");
    assertThat(violation.get("fieldViolations").get(0).get("field").asText()).isEqualTo("book_id");
    assertThat(patched.statusCode()).isEqualTo(200);
    JsonNode book = JSON.readTree(patched.body());
    assertThat(book.get("pages").asInt()).isEqualTo(310);
    assertThat(book.get("title").asText()).isEqualTo("The Left Hand of Darkness");
    assertThat(badMask.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badMask.body()).get("detail").asText())
        .isEqualTo("update_mask: \"name\" is not a field a book can change");
    assertThat(search.statusCode()).isEqualTo(200);
    JsonNode found = JSON.readTree(search.body());
    assertThat(found.get("total").asText()).isEqualTo("1");
    assertThat(found.get("books").get(0).get("pages").asInt()).isEqualTo(310);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(deleted.body()).isEqualTo("{}");
    assertThat(gone.statusCode()).isEqualTo(404);
  }
}
