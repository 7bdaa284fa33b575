package io.portico.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A raw-socket HTTP client for malformed input: sends exactly the bytes given and reads whatever
 * comes back until the server closes the connection or goes quiet.
 */
public final class RawClient implements AutoCloseable {

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  public RawClient(InetSocketAddress address) throws IOException {
    socket = new Socket();
    socket.connect(address, 2000);
    socket.setSoTimeout(3000);
    out = socket.getOutputStream();
    in = socket.getInputStream();
  }

  public RawClient send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  public RawClient send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Reads until the server closes or {@code quietMillis} pass without data. */
  public String readAvailable(int quietMillis) throws IOException {
    socket.setSoTimeout(quietMillis);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] b = new byte[8192];
    try {
      int n;
      while ((n = in.read(b)) >= 0) {
        buf.write(b, 0, n);
      }
    } catch (SocketTimeoutException e) {
      // quiet: return what we have
    } catch (IOException e) {
      // reset by peer: return what we have
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Reads until what arrived contains {@code marker}, the server closes, or {@code timeoutMillis}
   * pass; returns what arrived. Unlike {@link #readAvailable}, it does not depend on how quickly
   * the server answers.
   */
  public String readUntil(String marker, int timeoutMillis) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    long deadline = System.currentTimeMillis() + timeoutMillis;
    byte[] b = new byte[8192];
    try {
      while (!buf.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          break;
        }
        socket.setSoTimeout((int) left);
        int n = in.read(b);
        if (n < 0) {
          break;
        }
        buf.write(b, 0, n);
      }
    } catch (SocketTimeoutException e) {
      // time is up: return what we have
    } catch (IOException e) {
      // reset by peer: return what we have
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }

  /** Whether the server closed the connection (a read returns end of stream within the time). */
  public boolean closedByServer(int withinMillis) throws IOException {
    socket.setSoTimeout(withinMillis);
    try {
      byte[] b = new byte[8192];
      long deadline = System.currentTimeMillis() + withinMillis;
      while (System.currentTimeMillis() < deadline) {
        if (in.read(b) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
