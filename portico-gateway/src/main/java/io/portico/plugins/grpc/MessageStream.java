package io.portico.plugins.grpc;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.grpc.GrpcFrameReader;
import io.portico.spi.plugin.Reply;
import io.portico.spi.plugin.RequestBodyTransform;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A client stream's JSON body into its gRPC messages while the body arrives: each element becomes
 * one framed message as soon as its last byte is read, so the upstream has the first message while
 * the client still sends the rest.
 *
 * <p>Two forms, as {@link RequestMessages} reads them whole: with {@code Content-Type:
 * application/x-ndjson} one element per line (blank lines skipped); otherwise a JSON array whose
 * elements are the messages, read incrementally by Jackson's non-blocking parser (a lone value is a
 * stream of one). Held between pieces: the part of the element not yet complete (NDJSON: its bytes;
 * an array: its tokens and the parser's partial token), never more than {@code maxBytes} of it, so
 * memory per call stays bounded whatever the body's length.
 *
 * <p>Refusals: an element over {@code maxBytes} is 413; an element that is not JSON, or does not
 * fit the method's input message, is 400 naming the element's index (from 0) and, when one is at
 * fault, its field. Confined to the exchange's event loop.
 */
final class MessageStream implements RequestBodyTransform {

  private final RequestMessages requests;
  private final Binding binding;
  private final Map<String, List<String>> query;
  private final Map<String, String> pathValues;
  private final long maxBytes;
  private final boolean ndjson;
  private int index;

  // NDJSON: the current line's bytes so far, and its number.
  private @Nullable ByteBuf line;
  private int lineNumber;

  // A JSON array: the parser, the element being read, and where it began.
  private final @Nullable JsonParser parser;
  private final @Nullable ByteArrayFeeder feeder;
  private @Nullable TokenBuffer element;
  private int depth;
  private boolean array;
  private boolean rootSeen;
  private boolean rootDone;
  private long fed;
  private long elementStart;

  MessageStream(
      RequestMessages requests,
      Binding binding,
      @Nullable String contentType,
      Map<String, List<String>> query,
      Map<String, String> pathValues,
      long maxBytes) {
    this.requests = requests;
    this.binding = binding;
    this.query = query;
    this.pathValues = pathValues;
    this.maxBytes = maxBytes;
    this.ndjson =
        contentType != null
            && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-ndjson");
    if (ndjson) {
      parser = null;
      feeder = null;
    } else {
      try {
        JsonParser p = RequestMessages.JSON.getFactory().createNonBlockingByteArrayParser();
        parser = p;
        feeder = (ByteArrayFeeder) p.getNonBlockingInputFeeder();
      } catch (IOException e) {
        throw new IllegalStateException("Jackson has no non-blocking parser", e);
      }
    }
  }

  @Override
  public ByteBuf next(ByteBuf input, ByteBufAllocator alloc) throws Refused {
    ByteBuf out = alloc.buffer(0);
    try {
      if (ndjson) {
        lines(input, alloc, out);
      } else {
        feed(input, out);
      }
      return out;
    } catch (Refused | RuntimeException e) {
      out.release();
      throw e;
    }
  }

  @Override
  public ByteBuf end(ByteBufAllocator alloc) throws Refused {
    ByteBuf out = alloc.buffer(0);
    try {
      if (ndjson) {
        ByteBuf rest = line;
        if (rest != null && rest.isReadable()) {
          lineNumber++;
          emitLine(rest, out);
        }
      } else {
        ByteArrayFeeder f = feeder();
        f.endOfInput();
        drain(out);
        if (element != null || (array && !rootDone)) {
          throw badRequest(
              "The request body ends inside message " + index + " (expected: complete JSON).");
        }
      }
      return out;
    } catch (Refused | RuntimeException e) {
      out.release();
      throw e;
    }
  }

  @Override
  public void close() {
    ByteBuf l = line;
    line = null;
    if (l != null) {
      l.release();
    }
    element = null;
    if (parser != null) {
      try {
        parser.close();
      } catch (IOException e) {
        // nothing is held outside the heap
      }
    }
  }

  // ---------------------------------------------------------------- NDJSON

  private void lines(ByteBuf input, ByteBufAllocator alloc, ByteBuf out) throws Refused {
    while (input.isReadable()) {
      int nl = input.indexOf(input.readerIndex(), input.writerIndex(), (byte) '\n');
      int end = nl < 0 ? input.writerIndex() : nl;
      ByteBuf l = line;
      int held = l == null ? 0 : l.readableBytes();
      if ((long) held + (end - input.readerIndex()) > maxBytes) {
        throw tooLarge();
      }
      if (nl < 0) {
        if (l == null) {
          l = alloc.heapBuffer(input.readableBytes());
          line = l;
        }
        l.writeBytes(input);
        return;
      }
      lineNumber++;
      if (l == null) {
        emitLine(input.slice(input.readerIndex(), end - input.readerIndex()), out);
      } else {
        l.writeBytes(input, input.readerIndex(), end - input.readerIndex());
        emitLine(l, out);
      }
      input.readerIndex(nl + 1);
    }
  }

  private void emitLine(ByteBuf bytes, ByteBuf out) throws Refused {
    try {
      boolean blank = true;
      for (int i = bytes.readerIndex(); i < bytes.writerIndex() && blank; i++) {
        blank = Character.isWhitespace(bytes.getByte(i));
      }
      if (blank) {
        return;
      }
      JsonNode node;
      try {
        node =
            RequestMessages.JSON.readTree(bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
      } catch (JsonProcessingException e) {
        throw badRequest(
            "line "
                + lineNumber
                + " of the request body (message "
                + index
                + ") is not valid JSON: "
                + e.getOriginalMessage());
      }
      emit(node, out);
    } finally {
      ByteBuf l = line;
      if (l != null) {
        l.clear();
      }
    }
  }

  // ---------------------------------------------------------------- a JSON array

  private ByteArrayFeeder feeder() {
    ByteArrayFeeder f = feeder;
    if (f == null) {
      throw new IllegalStateException("an NDJSON stream has no parser");
    }
    return f;
  }

  private void feed(ByteBuf input, ByteBuf out) throws Refused {
    int n = input.readableBytes();
    if (n == 0) {
      return;
    }
    byte[] bytes;
    int offset;
    if (input.hasArray()) {
      bytes = input.array();
      offset = input.arrayOffset() + input.readerIndex();
    } else {
      bytes = new byte[n];
      input.getBytes(input.readerIndex(), bytes);
      offset = 0;
    }
    try {
      feeder().feedInput(bytes, offset, offset + n);
    } catch (IOException e) {
      throw badRequest("The request body is not valid JSON: " + e.getMessage());
    }
    fed += n;
    drain(out);
    if (element != null && fed - elementStart > maxBytes) {
      throw tooLarge();
    }
  }

  /** Reads every token the input fed so far completes. */
  private void drain(ByteBuf out) throws Refused {
    JsonParser p = parser;
    if (p == null) {
      return;
    }
    try {
      JsonToken t;
      while ((t = p.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
        token(p, t, out);
      }
    } catch (JsonProcessingException e) {
      throw badRequest(
          "The request body is not valid JSON at message " + index + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw badRequest("The request body could not be read.");
    }
  }

  private void token(JsonParser p, JsonToken t, ByteBuf out) throws IOException, Refused {
    if (!rootSeen) {
      rootSeen = true;
      if (t == JsonToken.START_ARRAY) {
        array = true;
        return;
      }
    } else if (rootDone) {
      throw badRequest("The request body has more after its JSON value.");
    }
    if (element == null) {
      if (array && t == JsonToken.END_ARRAY) {
        rootDone = true;
        return;
      }
      element = new TokenBuffer(p, null);
      elementStart = p.currentTokenLocation().getByteOffset();
      depth = 0;
    }
    TokenBuffer e = element;
    e.copyCurrentEvent(p);
    if (t.isStructStart()) {
      depth++;
    } else if (t.isStructEnd()) {
      depth--;
    }
    if (depth > 0) {
      return;
    }
    element = null;
    if (p.currentLocation().getByteOffset() - elementStart > maxBytes) {
      throw tooLarge();
    }
    JsonNode node;
    try (JsonParser tokens = e.asParser(RequestMessages.JSON)) {
      node = RequestMessages.JSON.readTree(tokens);
    }
    if (!array) {
      rootDone = true;
    }
    emit(node, out);
  }

  // ---------------------------------------------------------------- messages

  private void emit(JsonNode body, ByteBuf out) throws Refused {
    byte[] message;
    try {
      message =
          requests.message(binding, query, pathValues, body, index, null, Unpooled.EMPTY_BUFFER);
    } catch (RequestMessages.BadRequest e) {
      throw badRequest(String.valueOf(e.getMessage()));
    }
    if (message.length > maxBytes) {
      throw tooLarge();
    }
    index++;
    GrpcFrameReader.writePrefix(out, message.length);
    out.writeBytes(message);
  }

  private static Refused badRequest(String detail) {
    return new Refused(
        Reply.problem(
            HttpResponseStatus.BAD_REQUEST, "grpc-transcode-bad-request", "Bad Request", detail));
  }

  private Refused tooLarge() {
    return new Refused(
        Reply.problem(
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "grpc-transcode-message-too-large",
            "Content Too Large",
            "Message " + index + " of the request body exceeds " + maxBytes + " bytes."));
  }
}
