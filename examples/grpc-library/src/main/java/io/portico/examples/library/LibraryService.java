package io.portico.examples.library;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;

/**
 * {@code library.v1.Library} (examples/grpc/library.proto) over an in-memory shelf of books.
 *
 * <p>It starts with one book, {@code shelves/7/books/42}. {@code CreateBook} adds books, {@code
 * UpdateBook} changes them (all fields, or those of the update mask), {@code DeleteBook} removes
 * them, {@code SearchBooks} finds them by title or author and genre, and {@code GetBook} reads
 * them: a name it does not hold is {@code NOT_FOUND} with a {@code google.rpc.ErrorInfo} detail of
 * reason {@code BOOK_NOT_FOUND}. {@code StreamBooks} sends {@code count} numbered books of the
 * shelf ({@code <parent>/books/<i>} with {@code i} pages), made up rather than stored; a negative
 * count sends as many and then ends the call with {@code RESOURCE_EXHAUSTED}, a stream that fails
 * after messages. {@code Echo} answers with the book it receives.
 *
 * <p>The methods are described with {@link ProtoUtils#marshaller} over the messages protoc
 * generates, so no gRPC code generator is needed. grpc-java calls them on its executor threads,
 * several at once: the shelf is a concurrent map, and a create is a single put-if-absent.
 */
public final class LibraryService {

  /** The full name of the service. */
  public static final String SERVICE = "library.v1.Library";

  /** The error domain of the {@code ErrorInfo} details. */
  static final String DOMAIN = "library.example";

  private static final Pattern SHELF = Pattern.compile("shelves/[^/]+");
  private static final Pattern BOOK_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final int DEFAULT_SEARCH_LIMIT = 10;
  private static final int MAX_SEARCH_LIMIT = 100;
  private static final int MAX_STREAM_COUNT = 1000;

  private final ConcurrentNavigableMap<String, Book> books = new ConcurrentSkipListMap<>();

  /** A library holding {@code shelves/7/books/42}. */
  public LibraryService() {
    Book first =
        Book.newBuilder()
            .setName("shelves/7/books/42")
            .setTitle("The Left Hand of Darkness")
            .setAuthorName("Ursula K. Le Guin")
            .setPages(304)
            .setGenre(Genre.FICTION)
            .addTags("classic")
            .build();
    books.put(first.getName(), first);
  }

  /** The service's methods, to add to a grpc-java server. */
  public ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(
            unary("GetBook", GetBookRequest.getDefaultInstance(), Book.getDefaultInstance()),
            ServerCalls.asyncUnaryCall(this::getBook))
        .addMethod(
            unary("CreateBook", CreateBookRequest.getDefaultInstance(), Book.getDefaultInstance()),
            ServerCalls.asyncUnaryCall(this::createBook))
        .addMethod(
            unary("UpdateBook", UpdateBookRequest.getDefaultInstance(), Book.getDefaultInstance()),
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
            unary("DeleteBook", DeleteBookRequest.getDefaultInstance(), Empty.getDefaultInstance()),
            ServerCalls.asyncUnaryCall(this::deleteBook))
        .addMethod(
            unary("Echo", Book.getDefaultInstance(), Book.getDefaultInstance()),
            ServerCalls.asyncUnaryCall(this::echo))
        .build();
  }

  void getBook(GetBookRequest request, StreamObserver<Book> out) {
    Book book = books.get(request.getName());
    if (book == null) {
      out.onError(notFound(request.getName()));
      return;
    }
    out.onNext(book);
    out.onCompleted();
  }

  void createBook(CreateBookRequest request, StreamObserver<Book> out) {
    if (!SHELF.matcher(request.getParent()).matches()) {
      out.onError(
          badField("parent", "must be shelves/<shelf>, not \"" + request.getParent() + "\""));
      return;
    }
    if (!BOOK_ID.matcher(request.getBookId()).matches()) {
      out.onError(
          badField(
              "book_id",
              "must be 1 to 63 lower-case letters, digits or '-', not \""
                  + request.getBookId()
                  + "\""));
      return;
    }
    String name = request.getParent() + "/books/" + request.getBookId();
    Book book = request.getBook().toBuilder().setName(name).build();
    if (books.putIfAbsent(name, book) != null) {
      out.onError(
          error(
              Code.ALREADY_EXISTS,
              "book " + name + " already exists",
              info("BOOK_ALREADY_EXISTS", name)));
      return;
    }
    out.onNext(book);
    out.onCompleted();
  }

  void updateBook(UpdateBookRequest request, StreamObserver<Book> out) {
    String name = request.getBook().getName();
    List<String> paths = new ArrayList<>();
    for (String path : request.getUpdateMask().split(",")) {
      if (!path.isBlank()) {
        paths.add(snakeCase(path.strip()));
      }
    }
    for (String path : paths) {
      if (!List.of("title", "author_name", "pages", "genre", "tags").contains(path)) {
        out.onError(badField("update_mask", "\"" + path + "\" is not a field a book can change"));
        return;
      }
    }
    Book updated = books.computeIfPresent(name, (key, old) -> merge(old, request.getBook(), paths));
    if (updated == null) {
      out.onError(notFound(name));
      return;
    }
    out.onNext(updated);
    out.onCompleted();
  }

  /**
   * {@code old} with the fields of {@code paths} (every field when empty) taken from {@code
   * change}.
   */
  private static Book merge(Book old, Book change, List<String> paths) {
    if (paths.isEmpty()) {
      return change.toBuilder().setName(old.getName()).build();
    }
    Book.Builder book = old.toBuilder();
    for (String path : paths) {
      switch (path) {
        case "title" -> book.setTitle(change.getTitle());
        case "author_name" -> book.setAuthorName(change.getAuthorName());
        case "pages" -> book.setPages(change.getPages());
        case "genre" -> book.setGenre(change.getGenre());
        default -> book.clearTags().addAllTags(change.getTagsList());
      }
    }
    return book.build();
  }

  void searchBooks(SearchRequest request, StreamObserver<SearchResponse> out) {
    if (request.getLimit() < 0 || request.getLimit() > MAX_SEARCH_LIMIT) {
      out.onError(badField("limit", "must be between 0 and " + MAX_SEARCH_LIMIT));
      return;
    }
    int limit = request.getLimit() == 0 ? DEFAULT_SEARCH_LIMIT : request.getLimit();
    String query = request.getQuery().toLowerCase(Locale.ROOT);
    SearchResponse.Builder found = SearchResponse.newBuilder();
    long total = 0;
    for (Book book : books.values()) {
      boolean matches =
          (book.getTitle().toLowerCase(Locale.ROOT).contains(query)
                  || book.getAuthorName().toLowerCase(Locale.ROOT).contains(query))
              && (request.getGenre() == Genre.GENRE_UNSPECIFIED
                  || book.getGenre() == request.getGenre());
      if (matches) {
        if (total < limit) {
          found.addBooks(book);
        }
        total++;
      }
    }
    out.onNext(found.setTotal(total).build());
    out.onCompleted();
  }

  void streamBooks(StreamBooksRequest request, StreamObserver<Book> out) {
    if (!SHELF.matcher(request.getParent()).matches()) {
      out.onError(
          badField("parent", "must be shelves/<shelf>, not \"" + request.getParent() + "\""));
      return;
    }
    int count = Math.abs(request.getCount());
    if (count > MAX_STREAM_COUNT) {
      out.onError(badField("count", "at most " + MAX_STREAM_COUNT + " books a stream"));
      return;
    }
    for (int i = 0; i < count; i++) {
      out.onNext(
          Book.newBuilder().setName(request.getParent() + "/books/" + i).setPages(i).build());
    }
    if (request.getCount() < 0) {
      out.onError(error(Code.RESOURCE_EXHAUSTED, "shelf quota spent"));
    } else {
      out.onCompleted();
    }
  }

  void deleteBook(DeleteBookRequest request, StreamObserver<Empty> out) {
    if (books.remove(request.getName()) == null) {
      out.onError(notFound(request.getName()));
      return;
    }
    out.onNext(Empty.getDefaultInstance());
    out.onCompleted();
  }

  void echo(Book request, StreamObserver<Book> out) {
    out.onNext(request);
    out.onCompleted();
  }

  private static StatusRuntimeException notFound(String name) {
    return error(Code.NOT_FOUND, "no book " + name, info("BOOK_NOT_FOUND", name));
  }

  private static StatusRuntimeException badField(String field, String description) {
    return error(
        Code.INVALID_ARGUMENT,
        field + ": " + description,
        BadRequest.newBuilder()
            .addFieldViolations(
                BadRequest.FieldViolation.newBuilder().setField(field).setDescription(description))
            .build());
  }

  private static ErrorInfo info(String reason, String name) {
    return ErrorInfo.newBuilder()
        .setReason(reason)
        .setDomain(DOMAIN)
        .putMetadata("name", name)
        .build();
  }

  /** A status with its details, sent in the {@code grpc-status-details-bin} trailer. */
  private static StatusRuntimeException error(Code code, String message, Message... details) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(message);
    for (Message detail : details) {
      status.addDetails(Any.pack(detail));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  /** {@code authorName} and {@code author_name} alike, as field masks name fields either way. */
  private static String snakeCase(String path) {
    return path.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
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
}
