package io.portico.plugins.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import io.portico.grpc.testing.library.StreamBooksRequest;
import io.portico.snapshot.ReloadResult;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A descriptor set swapped under {@code grpc-transcode} by a reload while a server stream is in
 * flight: the call in flight finishes on the descriptors it started with, calls after the reload
 * use the new ones, and a broken descriptor set is refused with the last good one serving. The two
 * sets differ only in the JSON name of {@code Book.pages} ({@code pages}, then {@code pageCount}),
 * which is what each answer shows.
 */
class GrpcTranscodeReloadAttackTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private LibraryServer server;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    server = new LibraryServer();
  }

  @AfterEach
  void stop() throws Exception {
    server.gate.countDown();
    if (gw != null) {
      gw.close();
    }
    server.close();
  }

  private String config(Path descriptors) {
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
        """
        .formatted(server.port(), descriptors);
  }

  /** The test descriptor set with {@code library.v1.Book.pages} named {@code jsonName} in JSON. */
  private static byte[] renamedPages(String jsonName) throws Exception {
    FileDescriptorSet set =
        FileDescriptorSet.parseFrom(Files.readAllBytes(GrpcTranscodeEndToEndTest.descriptors()));
    FileDescriptorSet.Builder out = set.toBuilder();
    for (FileDescriptorProto.Builder file : out.getFileBuilderList()) {
      if (!file.getPackage().equals("library.v1")) {
        continue;
      }
      for (DescriptorProto.Builder message : file.getMessageTypeBuilderList()) {
        if (message.getName().equals("Book")) {
          for (FieldDescriptorProto.Builder field : message.getFieldBuilderList()) {
            if (field.getName().equals("pages")) {
              field.setJsonName(jsonName);
            }
          }
        }
      }
    }
    return out.build().toByteArray();
  }

  @Test
  void aCallInFlightFinishesOnItsDescriptorsAndNewCallsUseTheReloadedOnes() throws Exception {
    Path descriptors = dir.resolve("library.pb");
    Files.write(descriptors, renamedPages("pages"));
    gw = GatewayFixture.start(config(descriptors));

    CompletableFuture<HttpResponse<Stream<String>>> inFlight =
        gw.client()
            .sendAsync(
                HttpRequest.newBuilder(gw.uri("/v1/shelves/gated/books:stream?count=2")).build(),
                HttpResponse.BodyHandlers.ofLines());
    HttpResponse<Stream<String>> streaming = inFlight.get(20, TimeUnit.SECONDS);
    assertThat(streaming.statusCode()).isEqualTo(200);
    Iterator<String> lines = streaming.body().iterator();
    assertThat(lines.next()).isEqualTo("{\"name\":\"shelves/gated/books/0\"}");
    assertThat(server.requests)
        .anyMatch(
            m ->
                m instanceof StreamBooksRequest s
                    && s.getParent().equals(LibraryServer.GATED_SHELF));

    // the new set, written beside and moved in place as a deployment would
    Path next = dir.resolve("next.pb");
    Files.write(next, renamedPages("pageCount"));
    Files.move(
        next, descriptors, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    ReloadResult reloaded = gw.gateway().reload();
    assertThat(reloaded.applied()).as(reloaded.problems().render()).isTrue();

    JsonNode fresh =
        JSON.readTree(gw.get("/v1/shelves/3/books:stream?count=2").body().lines().toList().get(1));
    assertThat(fresh.get("pageCount").asInt()).isEqualTo(1);
    assertThat(fresh.has("pages")).isFalse();

    server.gate.countDown();
    assertThat(lines.next()).isEqualTo("{\"name\":\"shelves/gated/books/1\",\"pages\":1}");
    assertThat(lines.hasNext()).isFalse();

    // a broken set is refused; the last good one keeps serving
    Files.write(descriptors, new byte[] {0x0a, 0x7f, 0x01});
    ReloadResult refused = gw.gateway().reload();
    assertThat(refused.applied()).isFalse();
    assertThat(refused.problems().render()).contains("descriptor-set");
    JsonNode after =
        JSON.readTree(gw.get("/v1/shelves/4/books:stream?count=2").body().lines().toList().get(1));
    assertThat(after.get("pageCount").asInt()).isEqualTo(1);

    // a set that no longer has the service is refused the same way
    Files.write(descriptors, FileDescriptorSet.getDefaultInstance().toByteArray());
    assertThat(gw.gateway().reload().applied()).isFalse();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(gw.get("/v1/shelves/1/books/1").statusCode()).isEqualTo(200));
  }
}
