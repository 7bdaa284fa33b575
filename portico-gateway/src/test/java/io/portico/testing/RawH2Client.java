package io.portico.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/2 client that writes frames by hand over a plain socket (prior knowledge), for abusive
 * input no well-behaved client library sends: resets in a loop, unknown frame types. A reader
 * thread parses what the server sends and records its GOAWAY and the end of the stream.
 */
public final class RawH2Client implements AutoCloseable {

  public static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private static final int DATA = 0x0;
  private static final int HEADERS = 0x1;
  private static final int PRIORITY = 0x2;
  private static final int RST_STREAM = 0x3;
  private static final int SETTINGS = 0x4;
  private static final int PING = 0x6;
  private static final int GOAWAY = 0x7;
  private static final int WINDOW_UPDATE = 0x8;
  private static final int CONTINUATION = 0x9;

  private final Socket socket;
  private final OutputStream out;
  private final CompletableFuture<Long> goAway = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final CompletableFuture<Void> serverSettings = new CompletableFuture<>();
  private final Map<Integer, ByteArrayOutputStream> bodies = new ConcurrentHashMap<>();
  private final Map<Integer, CompletableFuture<String>> responses = new ConcurrentHashMap<>();
  private final Map<Integer, CompletableFuture<Long>> resets = new ConcurrentHashMap<>();
  private final Map<Integer, CompletableFuture<String>> statuses = new ConcurrentHashMap<>();
  private final Map<Integer, CompletableFuture<Integer>> dataBeforeResets =
      new ConcurrentHashMap<>();
  private final AtomicInteger resetCount = new AtomicInteger();
  private final AtomicInteger pingAcks = new AtomicInteger();
  private final AtomicInteger settingsAcks = new AtomicInteger();
  private final DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);

  public RawH2Client(InetSocketAddress address) throws IOException {
    this(plainSocket(address));
  }

  /** A client on a socket already connected (and, for h2, already through its TLS handshake). */
  public RawH2Client(Socket connected) throws IOException {
    socket = connected;
    out = socket.getOutputStream();
    Thread reader = new Thread(this::readFrames, "raw-h2-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private static Socket plainSocket(InetSocketAddress address) throws IOException {
    Socket s = new Socket();
    s.connect(address, 2000);
    return s;
  }

  /** A client over TLS that offers only {@code h2} by ALPN; fails unless the server chose it. */
  public static RawH2Client overTls(InetSocketAddress address, SSLContext tls) throws IOException {
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket();
    s.connect(address, 2000);
    SSLParameters params = s.getSSLParameters();
    params.setApplicationProtocols(new String[] {"h2"});
    s.setSSLParameters(params);
    s.startHandshake();
    if (!"h2".equals(s.getApplicationProtocol())) {
      s.close();
      throw new IOException("ALPN chose " + s.getApplicationProtocol() + ", not h2");
    }
    return new RawH2Client(s);
  }

  /** Writes the connection preface and an empty SETTINGS frame. */
  public RawH2Client preface() throws IOException {
    out.write(PREFACE);
    frame(SETTINGS, 0, 0, new byte[0]);
    out.flush();
    return this;
  }

  /**
   * Writes a HEADERS frame opening {@code streamId} with a GET of {@code path} on {@code
   * authority}, ending the stream. HPACK: static-table method and scheme, literal path and
   * authority without indexing.
   */
  public RawH2Client get(int streamId, String path, String authority) throws IOException {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(0x82); // :method GET
    block.write(0x86); // :scheme http
    literal(block, 0x04, path); // :path
    literal(block, 0x01, authority); // :authority
    frame(HEADERS, 0x1 | 0x4, streamId, block.toByteArray()); // END_STREAM | END_HEADERS
    return this;
  }

  /**
   * Writes a HEADERS frame opening {@code streamId} with a POST of {@code path}, leaving the stream
   * open for DATA frames.
   */
  public RawH2Client post(int streamId, String path, String authority) throws IOException {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(0x83); // :method POST
    block.write(0x86); // :scheme http
    literal(block, 0x04, path); // :path
    literal(block, 0x01, authority); // :authority
    frame(HEADERS, 0x4, streamId, block.toByteArray()); // END_HEADERS
    return this;
  }

  /**
   * Writes a HEADERS frame opening (or continuing) {@code streamId} with exactly the given fields,
   * pseudo-headers included, in order: {@code "name", "value", "name", "value"...}. Every field is
   * a literal without indexing with a literal name, so any name or value can be sent, valid or not.
   */
  public RawH2Client headers(int streamId, boolean endStream, String... fields) throws IOException {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    for (int i = 0; i < fields.length; i += 2) {
      block.write(0x00); // literal header field without indexing, new name
      string(block, fields[i]);
      string(block, fields[i + 1]);
    }
    frame(HEADERS, (endStream ? 0x1 : 0) | 0x4, streamId, block.toByteArray());
    return this;
  }

  /**
   * The HPACK block of the given fields, {@code "name", "value"...}, each a literal without
   * indexing with a literal name (no Huffman), of any length: for splitting a block over HEADERS
   * and CONTINUATION frames by hand.
   */
  public static byte[] block(String... fields) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    for (int i = 0; i < fields.length; i += 2) {
      block.write(0x00);
      string(block, fields[i]);
      string(block, fields[i + 1]);
    }
    return block.toByteArray();
  }

  /** Writes any frame as it is given: type, flags, stream identifier and payload. */
  public RawH2Client frame(int type, int flags, int streamId, byte[] payload) throws IOException {
    byte[] head = {
      (byte) (payload.length >>> 16),
      (byte) (payload.length >>> 8),
      (byte) payload.length,
      (byte) type,
      (byte) flags,
      (byte) (streamId >>> 24),
      (byte) (streamId >>> 16),
      (byte) (streamId >>> 8),
      (byte) streamId
    };
    out.write(head);
    out.write(payload);
    return this;
  }

  /** Writes bytes as they are: many frames at once, or bytes that are not frames at all. */
  public RawH2Client bytes(byte[] bytes) throws IOException {
    out.write(bytes);
    return this;
  }

  /** Writes a WINDOW_UPDATE of {@code increment} (its reserved bit cleared) on {@code streamId}. */
  public RawH2Client windowUpdate(int streamId, long increment) throws IOException {
    return frame(
        WINDOW_UPDATE,
        0,
        streamId,
        new byte[] {
          (byte) (increment >>> 24 & 0x7f),
          (byte) (increment >>> 16),
          (byte) (increment >>> 8),
          (byte) increment
        });
  }

  /**
   * Writes a CONTINUATION frame with {@code fragment}, ending the header block when {@code last}.
   */
  public RawH2Client continuation(int streamId, byte[] fragment, boolean last) throws IOException {
    return frame(CONTINUATION, last ? 0x4 : 0, streamId, fragment);
  }

  /** Writes a SETTINGS acknowledgement. */
  public RawH2Client settingsAck() throws IOException {
    return frame(SETTINGS, 0x1, 0, new byte[0]);
  }

  /** Completes when the server's first SETTINGS frame (not an acknowledgement) arrived. */
  public CompletableFuture<Void> serverSettings() {
    return serverSettings;
  }

  /** How many PING acknowledgements the server sent. */
  public int pingAcks() {
    return pingAcks.get();
  }

  /** How many SETTINGS acknowledgements the server sent. */
  public int settingsAcks() {
    return settingsAcks.get();
  }

  /** Writes a PING frame (not an acknowledgement). */
  public RawH2Client ping(long data) throws IOException {
    byte[] payload = new byte[8];
    for (int i = 0; i < 8; i++) {
      payload[i] = (byte) (data >>> (56 - 8 * i));
    }
    frame(PING, 0, 0, payload);
    return this;
  }

  /** Writes an empty SETTINGS frame (not an acknowledgement). */
  public RawH2Client settings() throws IOException {
    frame(SETTINGS, 0, 0, new byte[0]);
    return this;
  }

  /** Writes a PRIORITY frame making {@code streamId} depend on stream 0. */
  public RawH2Client priority(int streamId) throws IOException {
    frame(PRIORITY, 0, streamId, new byte[] {0, 0, 0, 0, 15});
    return this;
  }

  /** Writes a frame of a type HTTP/2 does not define, which a receiver must ignore. */
  public RawH2Client unknownFrame(int streamId) throws IOException {
    frame(0x20, 0, streamId, new byte[] {1, 2, 3});
    return this;
  }

  /** Writes a DATA frame, ending the stream when {@code last}. */
  public RawH2Client data(int streamId, byte[] data, boolean last) throws IOException {
    frame(DATA, last ? 0x1 : 0, streamId, data);
    return this;
  }

  /** The body bytes received so far on {@code streamId}, its response complete or not. */
  public int bytesReceived(int streamId) {
    ByteArrayOutputStream body = bodies.get(streamId);
    return body == null ? 0 : body.size();
  }

  /** The body of the response on {@code streamId}, once its last DATA frame arrived. */
  public CompletableFuture<String> responseBody(int streamId) {
    return responses.computeIfAbsent(streamId, id -> new CompletableFuture<>());
  }

  /**
   * The value of the {@code :status} of the response on {@code streamId}, once its head arrived.
   */
  public CompletableFuture<String> status(int streamId) {
    return statuses.computeIfAbsent(streamId, id -> new CompletableFuture<>());
  }

  /**
   * How many bytes of DATA had arrived on {@code streamId} when the server's RST_STREAM on it did
   * (what came after it does not count); complete once {@link #resetOf} is.
   */
  public CompletableFuture<Integer> dataBeforeReset(int streamId) {
    return dataBeforeResets.computeIfAbsent(streamId, id -> new CompletableFuture<>());
  }

  /** Completes with the error code of the server's RST_STREAM on {@code streamId}. */
  public CompletableFuture<Long> resetOf(int streamId) {
    return resets.computeIfAbsent(streamId, id -> new CompletableFuture<>());
  }

  /** How many RST_STREAM frames the server sent. */
  public int resetsReceived() {
    return resetCount.get();
  }

  /** Writes RST_STREAM with CANCEL. */
  public RawH2Client reset(int streamId) throws IOException {
    frame(RST_STREAM, 0, streamId, new byte[] {0, 0, 0, 0x8});
    return this;
  }

  public void flush() throws IOException {
    out.flush();
  }

  /** Completes with the error code of the server's GOAWAY. */
  public CompletableFuture<Long> goAway() {
    return goAway;
  }

  /** Completes when the server closed the connection. */
  public CompletableFuture<Void> closed() {
    return closed;
  }

  private static void string(ByteArrayOutputStream block, String value) {
    byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
    // no Huffman: the length as an HPACK integer with a 7-bit prefix
    if (v.length < 127) {
      block.write(v.length);
    } else {
      block.write(127);
      int rest = v.length - 127;
      while (rest >= 128) {
        block.write((rest & 0x7f) | 0x80);
        rest >>>= 7;
      }
      block.write(rest);
    }
    block.write(v, 0, v.length);
  }

  private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
    byte[] v = value.getBytes(StandardCharsets.US_ASCII);
    block.write(nameIndex); // literal header field without indexing, indexed name
    block.write(v.length); // shorter than 127: one byte, no Huffman
    block.write(v, 0, v.length);
  }

  /**
   * Reads frames until the server closes the connection. The socket stays open when it does: only
   * {@link #close()} closes it, so a write that races the server's close fails as a write to a
   * closed peer would, not because the reader closed the socket under it.
   */
  private void readFrames() {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] head = new byte[9];
      while (true) {
        in.readFully(head);
        int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
        byte[] payload = new byte[length];
        in.readFully(payload);
        int type = head[3] & 0xff;
        int stream =
            ((head[5] & 0x7f) << 24)
                | ((head[6] & 0xff) << 16)
                | ((head[7] & 0xff) << 8)
                | (head[8] & 0xff);
        if (type == DATA) {
          ByteArrayOutputStream body =
              bodies.computeIfAbsent(stream, id -> new ByteArrayOutputStream());
          body.write(payload, 0, payload.length);
          if ((head[4] & 0x1) != 0) {
            responseBody(stream).complete(body.toString(StandardCharsets.ISO_8859_1));
          }
        }
        if (type == HEADERS && length > 0) {
          status(stream).complete(statusOf(payload, head[4]));
        }
        if (type == PING && (head[4] & 0x1) != 0) {
          pingAcks.incrementAndGet();
        }
        if (type == SETTINGS && (head[4] & 0x1) != 0) {
          settingsAcks.incrementAndGet();
        } else if (type == SETTINGS) {
          serverSettings.complete(null);
        }
        if (type == RST_STREAM && length == 4) {
          resetCount.incrementAndGet();
          ByteArrayOutputStream body = bodies.get(stream);
          dataBeforeReset(stream).complete(body == null ? 0 : body.size());
          resetOf(stream).complete(unsigned(payload, 0));
        }
        if (type == GOAWAY && length >= 8) {
          long code =
              ((payload[4] & 0xffL) << 24)
                  | ((payload[5] & 0xffL) << 16)
                  | ((payload[6] & 0xffL) << 8)
                  | (payload[7] & 0xffL);
          goAway.complete(code);
        }
      }
    } catch (IOException e) {
      closed.complete(null);
    }
  }

  private static long unsigned(byte[] b, int at) {
    return ((b[at] & 0xffL) << 24)
        | ((b[at + 1] & 0xffL) << 16)
        | ((b[at + 2] & 0xffL) << 8)
        | (b[at + 3] & 0xffL);
  }

  /** The {@code :status} of a response header block, decoded with the connection's HPACK state. */
  private String statusOf(byte[] payload, byte flags) {
    boolean padded = (flags & 0x8) != 0;
    int start = (padded ? 1 : 0) + ((flags & 0x20) != 0 ? 5 : 0); // pad length, PRIORITY fields
    int padding = padded ? payload[0] & 0xff : 0;
    ByteBuf block = Unpooled.wrappedBuffer(payload, start, payload.length - start - padding);
    try {
      CharSequence status = hpack.decodeHeaders(0, block).status();
      return status == null ? "?" : status.toString();
    } catch (Http2Exception e) {
      return "?";
    } finally {
      block.release();
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
