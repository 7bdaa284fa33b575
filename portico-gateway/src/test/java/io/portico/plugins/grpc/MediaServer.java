package io.portico.plugins.grpc;

import com.google.api.HttpBody;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.portico.grpc.testing.media.DownloadRequest;
import io.portico.grpc.testing.media.Note;
import io.portico.grpc.testing.media.NoteSummary;
import io.portico.grpc.testing.media.Report;
import io.portico.grpc.testing.media.ReportRequest;
import io.portico.grpc.testing.media.UploadReply;
import io.portico.grpc.testing.media.UploadRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real grpc-java server of {@code media.v1.Media} (test/proto/media/v1/media.proto): a
 * client-streaming method that sums up the notes it got, a report whose parts {@code response_body}
 * picks, and {@code google.api.HttpBody} uploads, echoes and streamed downloads. Records the
 * messages it received.
 */
final class MediaServer implements AutoCloseable {

  static final String SERVICE = "media.v1.Media";

  final List<Message> requests = new CopyOnWriteArrayList<>();

  /** The notes of client streams as they arrive, before their stream ends. */
  final BlockingQueue<Note> arrivals = new LinkedBlockingQueue<>();

  /** How client streams ended other than by completing (a cancellation, a reset). */
  final BlockingQueue<Throwable> streamErrors = new LinkedBlockingQueue<>();

  private final Server server;

  MediaServer() throws IOException {
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(SERVICE)
            .addMethod(
                method(
                    "AddNotes",
                    MethodDescriptor.MethodType.CLIENT_STREAMING,
                    Note.getDefaultInstance(),
                    NoteSummary.getDefaultInstance()),
                ServerCalls.asyncClientStreamingCall(this::addNotes))
            .addMethod(
                method(
                    "GetReport",
                    MethodDescriptor.MethodType.UNARY,
                    ReportRequest.getDefaultInstance(),
                    Report.getDefaultInstance()),
                ServerCalls.asyncUnaryCall(this::report))
            .addMethod(
                method(
                    "Upload",
                    MethodDescriptor.MethodType.UNARY,
                    UploadRequest.getDefaultInstance(),
                    UploadReply.getDefaultInstance()),
                ServerCalls.asyncUnaryCall(this::upload))
            .addMethod(
                method(
                    "Echo",
                    MethodDescriptor.MethodType.UNARY,
                    HttpBody.getDefaultInstance(),
                    HttpBody.getDefaultInstance()),
                ServerCalls.asyncUnaryCall(this::echo))
            .addMethod(
                method(
                    "Download",
                    MethodDescriptor.MethodType.SERVER_STREAMING,
                    DownloadRequest.getDefaultInstance(),
                    HttpBody.getDefaultInstance()),
                ServerCalls.asyncServerStreamingCall(this::download))
            .build();
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(service)
            .build()
            .start();
  }

  int port() {
    return server.getPort();
  }

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(
      String name, MethodDescriptor.MethodType type, Q request, R response) {
    return MethodDescriptor.newBuilder(
            ProtoUtils.marshaller(request), ProtoUtils.marshaller(response))
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .build();
  }

  private StreamObserver<Note> addNotes(StreamObserver<NoteSummary> out) {
    List<Note> notes = new ArrayList<>();
    return new StreamObserver<>() {
      @Override
      public void onNext(Note note) {
        requests.add(note);
        notes.add(note);
        arrivals.add(note);
      }

      @Override
      public void onError(Throwable t) {
        streamErrors.add(t);
      }

      @Override
      public void onCompleted() {
        NoteSummary.Builder summary = NoteSummary.newBuilder().setCount(notes.size());
        StringBuilder joined = new StringBuilder();
        for (Note n : notes) {
          joined.append(joined.length() == 0 ? "" : "|").append(n.getText());
          summary.addShelves(n.getShelf()).setStars(summary.getStars() + n.getStars());
        }
        out.onNext(summary.setJoined(joined.toString()).build());
        out.onCompleted();
      }
    };
  }

  private void report(ReportRequest request, StreamObserver<Report> out) {
    requests.add(request);
    out.onNext(
        Report.newBuilder()
            .setTitle("report of " + request.getShelf())
            .setSummary(NoteSummary.newBuilder().setCount(2).setJoined(request.getShelf()))
            .addLines("first")
            .addLines("second")
            .build());
    out.onCompleted();
  }

  private void upload(UploadRequest request, StreamObserver<UploadReply> out) {
    requests.add(request);
    out.onNext(
        UploadReply.newBuilder()
            .setName(request.getName())
            .setContentType(request.getFile().getContentType())
            .setSize(request.getFile().getData().size())
            .build());
    out.onCompleted();
  }

  private void echo(HttpBody request, StreamObserver<HttpBody> out) {
    requests.add(request);
    out.onNext(
        HttpBody.newBuilder()
            .setContentType("text/plain; charset=utf-8")
            .setData(
                ByteString.copyFromUtf8(
                    request.getContentType() + ":" + request.getData().toStringUtf8()))
            .build());
    out.onCompleted();
  }

  private void download(DownloadRequest request, StreamObserver<HttpBody> out) {
    requests.add(request);
    for (int i = 0; i < request.getParts(); i++) {
      out.onNext(
          HttpBody.newBuilder()
              .setContentType("text/csv")
              .setData(
                  ByteString.copyFrom(request.getName() + "," + i + "\n", StandardCharsets.UTF_8))
              .build());
    }
    out.onCompleted();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
