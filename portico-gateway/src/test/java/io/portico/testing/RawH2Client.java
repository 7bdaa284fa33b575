package io.portico.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * An HTTP/2 client that writes frames by hand over a plain socket (prior knowledge), for abusive
 * input no well-behaved client library sends: resets in a loop, silence after the preface. A reader
 * thread parses what the server sends and records its GOAWAY and the end of the stream.
 */
public final class RawH2Client implements AutoCloseable {

  public static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private static final int HEADERS = 0x1;
  private static final int RST_STREAM = 0x3;
  private static final int SETTINGS = 0x4;
  private static final int GOAWAY = 0x7;

  private final Socket socket;
  private final OutputStream out;
  private final CompletableFuture<Long> goAway = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  public RawH2Client(InetSocketAddress address) throws IOException {
    socket = new Socket();
    socket.connect(address, 2000);
    out = socket.getOutputStream();
    Thread reader = new Thread(this::readFrames, "raw-h2-reader");
    reader.setDaemon(true);
    reader.start();
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

  private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
    byte[] v = value.getBytes(StandardCharsets.US_ASCII);
    block.write(nameIndex); // literal header field without indexing, indexed name
    block.write(v.length); // shorter than 127: one byte, no Huffman
    block.write(v, 0, v.length);
  }

  private void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
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
  }

  private void readFrames() {
    try (DataInputStream in = new DataInputStream(socket.getInputStream())) {
      byte[] head = new byte[9];
      while (true) {
        in.readFully(head);
        int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
        byte[] payload = new byte[length];
        in.readFully(payload);
        if ((head[3] & 0xff) == GOAWAY && length >= 8) {
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

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
