package io.portico.observe.log;

import io.portico.config.AccessLogConfig.SyslogSink;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Lines as RFC 5424 syslog messages: {@code <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID access -
 * MSG}, the MSG being the JSON line. The severity is informational (6) for an exchange below 400,
 * warning (4) for a 4xx, error (3) for a 5xx or a failure.
 *
 * <p>Over UDP each message is one datagram. Over TCP messages are framed by octet counting (RFC
 * 6587: {@code MSG-LEN SP SYSLOG-MSG}); the connection is opened on the first batch and, after a
 * failure, again on the next one.
 */
abstract class SyslogLogSink implements LogSink {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

  final SyslogSink config;
  private final byte[] headerTail;

  SyslogLogSink(SyslogSink config) {
    this.config = config;
    String host = localHost();
    this.headerTail =
        (" " + host + " " + config.appName() + " " + ProcessHandle.current().pid() + " access - ")
            .getBytes(StandardCharsets.US_ASCII);
  }

  static SyslogLogSink of(SyslogSink config) {
    return config.protocol().equals("tcp") ? new Tcp(config) : new Udp(config);
  }

  private static String localHost() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name.isEmpty() || name.length() > 255 || name.contains(" ") ? "-" : name;
    } catch (IOException e) {
      return "-";
    }
  }

  /** The RFC 5424 message of a line. */
  byte[] message(LogLine line) {
    int severity = line.failed() || line.status() >= 500 ? 3 : line.status() >= 400 ? 4 : 6;
    byte[] head =
        ("<"
                + (config.facility() * 8 + severity)
                + ">1 "
                + TIME.format(Instant.ofEpochMilli(line.epochMillis())))
            .getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + headerTail.length + line.json().length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(headerTail, 0, out, head.length, headerTail.length);
    System.arraycopy(line.json(), 0, out, head.length + headerTail.length, line.json().length);
    return out;
  }

  /** One datagram per message. */
  static final class Udp extends SyslogLogSink {
    private @Nullable DatagramSocket socket;
    private @Nullable InetSocketAddress target;

    Udp(SyslogSink config) {
      super(config);
    }

    @Override
    public void deliver(List<LogLine> batch) throws IOException {
      if (socket == null) {
        socket = new DatagramSocket();
      }
      if (target == null || target.isUnresolved()) {
        target = new InetSocketAddress(config.host(), config.port());
      }
      for (LogLine line : batch) {
        byte[] m = message(line);
        socket.send(new DatagramPacket(m, m.length, target));
      }
    }

    @Override
    public void close() {
      if (socket != null) {
        socket.close();
      }
    }
  }

  /** A stream of octet-counted messages. */
  static final class Tcp extends SyslogLogSink {
    private @Nullable Socket socket;
    private @Nullable OutputStream out;

    Tcp(SyslogSink config) {
      super(config);
    }

    @Override
    public void deliver(List<LogLine> batch) throws IOException {
      try {
        OutputStream o = out;
        if (socket == null || o == null) {
          Socket s = new Socket();
          s.connect(
              new InetSocketAddress(config.host(), config.port()),
              (int) config.timeout().toMillis());
          socket = s;
          o = new java.io.BufferedOutputStream(s.getOutputStream(), 65_536);
          out = o;
        }
        for (LogLine line : batch) {
          byte[] m = message(line);
          o.write((m.length + " ").getBytes(StandardCharsets.US_ASCII));
          o.write(m);
        }
        o.flush();
      } catch (IOException e) {
        close();
        throw e;
      }
    }

    @Override
    public void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // nothing more to do
        }
        socket = null;
        out = null;
      }
    }
  }
}
