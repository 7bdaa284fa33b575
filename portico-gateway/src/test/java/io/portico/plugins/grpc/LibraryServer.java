package io.portico.plugins.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.portico.grpc.testing.library.Book;
import io.portico.grpc.testing.library.CreateBookRequest;
import io.portico.grpc.testing.library.DeleteBookRequest;
import io.portico.grpc.testing.library.GetBookRequest;
import io.portico.grpc.testing.library.SearchRequest;
import io.portico.grpc.testing.library.SearchResponse;
import io.portico.grpc.testing.library.StreamBooksRequest;
import io.portico.grpc.testing.library.UpdateBookRequest;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real grpc-java server of {@code library.v1.Library} (test/proto/library/v1/library.proto) that
 * answers from what it was asked, so tests see how the request message was built. Records the
 * metadata of every call.
 */
final class LibraryServer implements AutoCloseable {

  static final String SERVICE = "library.v1.Library";

  /**
   * Holds a stream of the shelf {@value #GATED_SHELF} after its first book until counted down, so a
   * test can change the gateway while the call is in flight.
   */
  final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);

  static final String GATED_SHELF = "shelves/gated";

  final List<Metadata> calls = new CopyOnWriteArrayList<>();
  final List<Message> requests = new CopyOnWriteArrayList<>();
  private final Server server;

  LibraryServer() throws IOException {
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(SERVICE)
            .addMethod(
                unary("GetBook", GetBookRequest.getDefaultInstance(), Book.getDefaultInstance()),
                ServerCalls.asyncUnaryCall(this::getBook))
            .addMethod(
                unary(
                    "CreateBook",
                    CreateBookRequest.getDefaultInstance(),
                    Book.getDefaultInstance()),
                ServerCalls.asyncUnaryCall(this::createBook))
            .addMethod(
                unary(
                    "UpdateBook",
                    UpdateBookRequest.getDefaultInstance(),
                    Book.getDefaultInstance()),
                ServerCalls.asyncUnaryCall(this::updateBook))
            .addMethod(
                unary(
                    "SearchBooks",
                    SearchRequest.getDefaultInstance(),
                    SearchResponse.getDefaultInstance()),
                ServerCalls.asyncUnaryCall(this::searchBooks))
            .addMethod(
                method(
                    "StreamBooks",
                    MethodDescriptor.MethodType.SERVER_STREAMING,
                    StreamBooksRequest.getDefaultInstance(),
                    Book.getDefaultInstance()),
                ServerCalls.asyncServerStreamingCall(this::streamBooks))
            .addMethod(
                unary(
                    "DeleteBook",
                    DeleteBookRequest.getDefaultInstance(),
                    Empty.getDefaultInstance()),
                ServerCalls.asyncUnaryCall(this::deleteBook))
            .addMethod(
                unary("Echo", Book.getDefaultInstance(), Book.getDefaultInstance()),
                ServerCalls.asyncUnaryCall(this::echo))
            .build();
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(service)
            .intercept(
                new io.grpc.ServerInterceptor() {
                  @Override
                  public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                      io.grpc.ServerCall<Q, R> call,
                      Metadata headers,
                      io.grpc.ServerCallHandler<Q, R> next) {
                    calls.add(headers);
                    return next.startCall(call, headers);
                  }
                })
            .build()
            .start();
  }

  int port() {
    return server.getPort();
  }

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> unary(
      String name, Q request, R response) {
    return method(name, MethodDescriptor.MethodType.UNARY, request, response);
  }

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(
      String name, MethodDescriptor.MethodType type, Q request, R response) {
    return MethodDescriptor.newBuilder(
            ProtoUtils.marshaller(request), ProtoUtils.marshaller(response))
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .build();
  }

  private void getBook(GetBookRequest request, StreamObserver<Book> out) {
    requests.add(request);
    if (request.getName().endsWith("/missing")) {
      out.onError(
          StatusProto.toStatusRuntimeException(
              com.google.rpc.Status.newBuilder()
                  .setCode(Code.NOT_FOUND_VALUE)
                  .setMessage("no book " + request.getName())
                  .addDetails(
                      Any.pack(
                          ErrorInfo.newBuilder()
                              .setReason("BOOK_NOT_FOUND")
                              .setDomain("library.example")
                              .putMetadata("name", request.getName())
                              .build()))
                  .build()));
      return;
    }
    out.onNext(
        Book.newBuilder()
            .setName(request.getName())
            .setTitle(
                "reviews="
                    + request.getWithReviews()
                    + " fields="
                    + request.getFieldsList()
                    + " offset="
                    + request.getPaging().getOffset())
            .build());
    out.onCompleted();
  }

  private void createBook(CreateBookRequest request, StreamObserver<Book> out) {
    requests.add(request);
    out.onNext(
        request.getBook().toBuilder()
            .setName(request.getParent() + "/books/" + request.getBookId())
            .build());
    out.onCompleted();
  }

  private void updateBook(UpdateBookRequest request, StreamObserver<Book> out) {
    requests.add(request);
    out.onNext(request.getBook());
    out.onCompleted();
  }

  private void searchBooks(SearchRequest request, StreamObserver<SearchResponse> out) {
    requests.add(request);
    SearchResponse.Builder found = SearchResponse.newBuilder();
    for (int i = 0; i < request.getLimit(); i++) {
      found.addBooks(
          Book.newBuilder().setTitle(request.getQuery() + " " + i).setGenre(request.getGenre()));
    }
    out.onNext(found.setTotal(request.getLimit()).build());
    out.onCompleted();
  }

  private void streamBooks(StreamBooksRequest request, StreamObserver<Book> out) {
    requests.add(request);
    int count = Math.abs(request.getCount());
    for (int i = 0; i < count; i++) {
      if (i == 1 && request.getParent().equals(GATED_SHELF)) {
        try {
          if (!gate.await(30, TimeUnit.SECONDS)) {
            out.onError(Status.DEADLINE_EXCEEDED.asRuntimeException());
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      out.onNext(
          Book.newBuilder().setName(request.getParent() + "/books/" + i).setPages(i).build());
    }
    if (request.getCount() < 0) {
      out.onError(
          Status.RESOURCE_EXHAUSTED.withDescription("shelf quota spent").asRuntimeException());
    } else {
      out.onCompleted();
    }
  }

  private void deleteBook(DeleteBookRequest request, StreamObserver<Empty> out) {
    requests.add(request);
    out.onNext(Empty.getDefaultInstance());
    out.onCompleted();
  }

  private void echo(Book request, StreamObserver<Book> out) {
    requests.add(request);
    if (request.getTitle().equals("fail")) {
      out.onError(
          Status.INVALID_ARGUMENT.withDescription("bad title: fail ü").asRuntimeException());
      return;
    }
    out.onNext(request.toBuilder().setTitle(request.getTitle() + "!").build());
    out.onCompleted();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
