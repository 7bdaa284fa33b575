package io.portico.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portico.observe.log.LogTail;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /logs/tail?route=&status=&consumer=}: the access log live, as server-sent events
 * ({@code text/event-stream}), one {@code data:} event per line in the sinks' JSON form and
 * redaction ({@link LogTail}); {@code event: dropped} with {@code {"dropped": n}} when lines were
 * lost because this reader fell behind; a comment every 15 s while idle.
 *
 * <p>The response streams on the admin connection's event loop: every {@value #TICK_MS} ms a task
 * there drains up to {@value #BATCH} queued lines into one chunk, only while the connection is
 * writable, so a slow client makes its own queue overflow (and drop) rather than buffer without
 * bound. The reader is closed when the connection closes.
 */
final class LogTailEndpoint {

  static final int TICK_MS = 250;
  static final int BATCH = 256;
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(15);
  private static final Pattern STATUS = Pattern.compile("([1-5])(?:xx|XX)|([1-5][0-9][0-9])");
  private static final Set<String> PARAMETERS = Set.of("route", "status", "consumer");

  private LogTailEndpoint() {}

  static void serve(
      ChannelHandlerContext ctx, FullHttpRequest req, AdminApi api, boolean keepAlive) {
    QueryStringDecoder q = new QueryStringDecoder(req.uri());
    LogTail tail = api.logTail();
    if (tail == null) {
      AdminHandler.send(
          ctx,
          AdminHandler.problem(
              HttpResponseStatus.NOT_FOUND, "admin-not-found", "This gateway has no log tail."),
          keepAlive);
      return;
    }
    LogTail.Filter filter;
    try {
      filter = filter(q.parameters());
    } catch (IllegalArgumentException e) {
      AdminHandler.send(
          ctx,
          AdminHandler.problem(
              HttpResponseStatus.BAD_REQUEST, "admin-bad-request", String.valueOf(e.getMessage())),
          keepAlive);
      return;
    }
    LogTail.Reader reader = tail.open(filter);
    if (reader == null) {
      AdminHandler.send(
          ctx,
          AdminHandler.problem(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "admin-busy",
              LogTail.MAX_READERS + " log tails are open; close one and try again."),
          keepAlive);
      return;
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
        .set("X-Content-Type-Options", "nosniff");
    ctx.write(head);
    ctx.writeAndFlush(chunk(ctx, "retry: 3000\n: tail open\n\n"));
    long[] lastSent = {System.nanoTime()};
    ScheduledFuture<?> task =
        ctx.executor()
            .scheduleAtFixedRate(
                () -> tick(ctx, reader, lastSent), TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    ctx.channel()
        .closeFuture()
        .addListener(
            f -> {
              task.cancel(false);
              reader.close();
            });
  }

  private static void tick(ChannelHandlerContext ctx, LogTail.Reader reader, long[] lastSent) {
    if (!ctx.channel().isActive() || !ctx.channel().isWritable()) {
      return;
    }
    StringBuilder out = new StringBuilder();
    long dropped = reader.takeDropped();
    if (dropped > 0) {
      out.append("event: dropped\ndata: {\"dropped\":").append(dropped).append("}\n\n");
    }
    for (byte[] line : reader.drain(BATCH)) {
      out.append("data: ").append(new String(line, StandardCharsets.UTF_8)).append("\n\n");
    }
    long now = System.nanoTime();
    if (out.isEmpty() && now - lastSent[0] >= IDLE_NANOS) {
      out.append(": idle\n\n");
    }
    if (!out.isEmpty()) {
      lastSent[0] = now;
      ctx.writeAndFlush(chunk(ctx, out.toString()));
    }
  }

  private static DefaultHttpContent chunk(ChannelHandlerContext ctx, String text) {
    ByteBuf buf = ctx.alloc().buffer(text.length());
    buf.writeCharSequence(text, StandardCharsets.UTF_8);
    return new DefaultHttpContent(buf);
  }

  /** The filter of the query; throws with the problem's sentence when a parameter is bad. */
  static LogTail.Filter filter(Map<String, List<String>> parameters) {
    for (Map.Entry<String, List<String>> e : parameters.entrySet()) {
      if (!PARAMETERS.contains(e.getKey())) {
        throw new IllegalArgumentException(
            e.getKey() + ": unknown parameter (expected: route, status or consumer)");
      }
      if (e.getValue().size() > 1) {
        throw new IllegalArgumentException(e.getKey() + ": given twice (expected: once)");
      }
    }
    String route = single(parameters, "route");
    String consumer = single(parameters, "consumer");
    String status = single(parameters, "status");
    int from = 0;
    int to = 999;
    if (status != null) {
      Matcher m = STATUS.matcher(status);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "status: \"" + status + "\" (expected: a status such as 404 or a class such as 5xx)");
      }
      if (m.group(1) != null) {
        from = Integer.parseInt(m.group(1)) * 100;
        to = from + 99;
      } else {
        from = Integer.parseInt(m.group(2));
        to = from;
      }
    }
    return new LogTail.Filter(route, from, to, consumer);
  }

  private static @Nullable String single(Map<String, List<String>> parameters, String name) {
    List<String> v = parameters.get(name);
    return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
  }
}
