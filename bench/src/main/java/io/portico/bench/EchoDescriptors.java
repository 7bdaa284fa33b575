package io.portico.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the descriptor set of {@code bench/grpc-transcode.sh}, as {@code protoc --include_imports
 * --descriptor_set_out} would from this {@code .proto}, so the benchmark needs no protoc:
 *
 * <pre>
 *   package bench;
 *   message Payload { bytes data = 1; }
 *   service Echo {
 *     rpc Unary(Payload) returns (Payload) { option (google.api.http) = { post: "/v1/echo" body: "*" }; }
 *   }
 * </pre>
 *
 * The byte-echo server of {@link GrpcUnaryLoad} answers a {@code Payload} with the same bytes, so
 * the transcoded call gets its {@code Payload} back. The set holds {@code google/api/http.proto}'s
 * {@code HttpRule} (the fields a rule uses), whose bytes stand in the method's options under the
 * extension number of {@code google.api.http}.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.portico.bench.EchoDescriptors /tmp/echo.pb
 * </pre>
 */
public final class EchoDescriptors {

  private static final int HTTP_RULE_EXTENSION = 72295728;

  private EchoDescriptors() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "echo.pb");
    Files.write(out, set().toByteArray());
  }

  static FileDescriptorSet set() {
    FileDescriptorProto http =
        FileDescriptorProto.newBuilder()
            .setName("google/api/http.proto")
            .setPackage("google.api")
            .setSyntax("proto3")
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("HttpRule")
                    .addField(string("selector", 1))
                    .addField(string("get", 2))
                    .addField(string("put", 3))
                    .addField(string("post", 4))
                    .addField(string("delete", 5))
                    .addField(string("patch", 6))
                    .addField(string("body", 7))
                    .addField(string("response_body", 12)))
            .build();
    byte[] rule = ruleBytes("/v1/echo", "*");
    FileDescriptorProto echo =
        FileDescriptorProto.newBuilder()
            .setName("bench/echo.proto")
            .setPackage("bench")
            .setSyntax("proto3")
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("Payload")
                    .addField(
                        FieldDescriptorProto.newBuilder()
                            .setName("data")
                            .setJsonName("data")
                            .setNumber(1)
                            .setType(FieldDescriptorProto.Type.TYPE_BYTES)
                            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)))
            .addService(
                ServiceDescriptorProto.newBuilder()
                    .setName("Echo")
                    .addMethod(
                        MethodDescriptorProto.newBuilder()
                            .setName("Unary")
                            .setInputType(".bench.Payload")
                            .setOutputType(".bench.Payload")
                            .setOptions(
                                MethodOptions.newBuilder()
                                    .setUnknownFields(
                                        UnknownFieldSet.newBuilder()
                                            .addField(
                                                HTTP_RULE_EXTENSION,
                                                UnknownFieldSet.Field.newBuilder()
                                                    .addLengthDelimited(ByteString.copyFrom(rule))
                                                    .build())
                                            .build()))))
            .build();
    return FileDescriptorSet.newBuilder().addFile(http).addFile(echo).build();
  }

  private static FieldDescriptorProto.Builder string(String name, int number) {
    return FieldDescriptorProto.newBuilder()
        .setName(name)
        .setNumber(number)
        .setType(FieldDescriptorProto.Type.TYPE_STRING)
        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
  }

  /** An {@code HttpRule} with {@code post} and {@code body}, as its wire bytes. */
  private static byte[] ruleBytes(String post, String body) {
    UnknownFieldSet rule =
        UnknownFieldSet.newBuilder()
            .addField(
                4,
                UnknownFieldSet.Field.newBuilder()
                    .addLengthDelimited(ByteString.copyFrom(post, StandardCharsets.UTF_8))
                    .build())
            .addField(
                7,
                UnknownFieldSet.Field.newBuilder()
                    .addLengthDelimited(ByteString.copyFrom(body, StandardCharsets.UTF_8))
                    .build())
            .build();
    return rule.toByteArray();
  }
}
