package io.portico.upstream.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.portico.config.HealthConfig;
import io.portico.grpc.GrpcFrameReader;
import io.portico.grpc.GrpcStatus;
import io.portico.upstream.Endpoint;
import io.portico.upstream.tls.UpstreamTls;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Probes one endpoint every {@code interval} on one event loop, each time on a new connection of
 * its own (never one of the data path's pooled connections), over TLS when the service's targets
 * are {@code https://}.
 *
 * <pre>
 *   tick ─▶ connect (timeout) ─▶ [TLS handshake] ─▶ HTTP: request, Connection: close ─▶ status
 *                                                 ├▶ TCP: connected is healthy
 *                                                 └▶ gRPC: HTTP/2 (h2c, or h2 by ALPN), one
 *                                                      Health/Check stream ─▶ SERVING is healthy
 *        ─▶ result: counters, maybe up/down ─▶ close ─▶ next tick after interval ± jitter/2
 *   (the first tick comes after a random wait below jitter)
 * </pre>
 *
 * <p>The whole probe (connect, handshake, response head) is bounded by {@code timeout}; the
 * response body is not read. A gRPC probe reads the whole call within the timeout (which it also
 * sends as {@code grpc-timeout}): healthy only for {@code grpc-status} 0 and the status {@code
 * SERVING}; {@code NOT_SERVING}, {@code UNKNOWN}, {@code SERVICE_UNKNOWN}, another {@code
 * grpc-status}, a reset, a close or the timeout are failures. Confined to its event loop, apart
 * from {@link #stop} and the volatile state the admin API reads.
 */
final class Probe {

  private final Endpoint endpoint;
  private final HealthConfig.Active config;
  private final @Nullable UpstreamTls tls;
  private final EventLoop loop;
  private final BiConsumer<Probe, Boolean> onChange;
  private final Bootstrap bootstrap;

  private volatile boolean stopped;
  private volatile boolean up = true;
  private final java.util.concurrent.atomic.AtomicLong probes =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile @Nullable String lastResult;
  private volatile @Nullable Instant lastProbeAt;
  private volatile @Nullable Instant changedAt;
  private int successes;
  private int failures;
  private @Nullable ScheduledFuture<?> next;

  Probe(
      Endpoint endpoint,
      HealthConfig.Active config,
      @Nullable UpstreamTls tls,
      EventLoop loop,
      BiConsumer<Probe, Boolean> onChange) {
    this.endpoint = endpoint;
    this.config = config;
    this.tls = tls;
    this.loop = loop;
    this.onChange = onChange;
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(channelClass(loop))
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.timeout().toMillis())));
  }

  /** The socket channel of the loop's transport: epoll on an epoll loop, NIO otherwise. */
  private static Class<? extends Channel> channelClass(EventLoop loop) {
    if (loop instanceof IoEventLoop io && isEpoll(io)) {
      return EpollSocketChannel.class;
    }
    return NioSocketChannel.class;
  }

  private static boolean isEpoll(IoEventLoop loop) {
    try {
      return loop.isIoType(EpollIoHandler.class);
    } catch (LinkageError e) {
      return false;
    }
  }

  Endpoint endpoint() {
    return endpoint;
  }

  boolean up() {
    return up;
  }

  ActiveChecker.ProbeState snapshot() {
    return new ActiveChecker.ProbeState(up, probes.get(), lastResult, lastProbeAt, changedAt);
  }

  /**
   * Sends the first probe after a random wait below {@code jitter}, then one every interval moved
   * by a random time in {@code [-jitter/2, jitter/2)}: the probes of many endpoints spread out
   * rather than all going at once.
   */
  void start() {
    long jitter = config.jitter().toNanos();
    if (jitter <= 0) {
      loop.execute(this::probe);
      return;
    }
    long first = ThreadLocalRandom.current().nextLong(jitter);
    loop.execute(() -> next = loop.schedule(this::probe, first, TimeUnit.NANOSECONDS));
  }

  /** The wait before the next probe: the interval, moved by up to half the jitter either way. */
  private long nextDelayNanos() {
    long interval = config.interval().toNanos();
    long jitter = config.jitter().toNanos();
    if (jitter <= 0) {
      return interval;
    }
    return Math.max(1, interval - jitter / 2 + ThreadLocalRandom.current().nextLong(jitter));
  }

  /** No more probes; one under way finishes without effect. */
  void stop() {
    stopped = true;
    loop.execute(
        () -> {
          if (next != null) {
            next.cancel(false);
            next = null;
          }
        });
  }

  private void probe() {
    next = null;
    if (stopped) {
      return;
    }
    Attempt attempt = new Attempt();
    attempt.run();
  }

  /** Opens the stream of a gRPC probe on the frame codec before it. */
  private static final class GrpcStreams extends Http2ChannelDuplexHandler {
    Http2FrameStream open() {
      return newStream();
    }
  }

  /** No {@code HealthCheckResponse} came (yet). */
  private static final int NO_MESSAGE = -2;

  /** The most bytes a gRPC probe reads of the answer's body (a response is a few bytes). */
  private static final int MAX_GRPC_RESPONSE = 1024;

  /** One probe: its connection, its deadline, its single result. */
  private final class Attempt extends ChannelInboundHandlerAdapter {
    private @Nullable Channel channel;
    private boolean grpcHeadersSeen;
    private int servingStatus = NO_MESSAGE;
    private @Nullable ByteBuf grpcBody;
    private @Nullable ScheduledFuture<?> deadline;
    private boolean done;

    void run() {
      deadline =
          loop.schedule(
              () -> finish(false, "timeout"), config.timeout().toNanos(), TimeUnit.NANOSECONDS);
      ChannelFuture f =
          bootstrap
              .clone()
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      if (tls != null) {
                        tls.addTo(
                            ch,
                            tls.serverName(endpoint.authority()),
                            endpoint.address().getPort(),
                            Math.max(1, config.timeout().toMillis()));
                      }
                      if (config.type() == HealthConfig.ProbeType.HTTP) {
                        ch.pipeline().addLast("http", new HttpClientCodec());
                      } else if (config.type() == HealthConfig.ProbeType.GRPC) {
                        ch.pipeline()
                            .addLast(
                                "h2",
                                Http2FrameCodecBuilder.forClient()
                                    .initialSettings(
                                        Http2Settings.defaultSettings().pushEnabled(false))
                                    .build())
                            .addLast("h2-streams", new GrpcStreams());
                      }
                      ch.pipeline().addLast("probe", Attempt.this);
                    }
                  })
              .connect(endpoint.address());
      channel = f.channel();
      f.addListener(
          c -> {
            if (!c.isSuccess()) {
              finish(false, "connect failed: " + describe(c.cause()));
              return;
            }
            SslHandler ssl = f.channel().pipeline().get(SslHandler.class);
            if (ssl == null) {
              connected(f.channel());
            } else {
              ssl.handshakeFuture()
                  .addListener(
                      h -> {
                        if (h.isSuccess()
                            && config.type() == HealthConfig.ProbeType.GRPC
                            && !ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                          finish(false, "TLS handshake: ALPN did not choose h2");
                        } else if (h.isSuccess()) {
                          connected(f.channel());
                        } else {
                          finish(false, "TLS handshake failed: " + describe(h.cause()));
                        }
                      });
            }
          });
    }

    private void connected(Channel ch) {
      if (done) {
        return;
      }
      if (config.type() == HealthConfig.ProbeType.TCP) {
        finish(true, "connected");
        return;
      }
      if (config.type() == HealthConfig.ProbeType.GRPC) {
        checkGrpc(ch);
        return;
      }
      FullHttpRequest request =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1, HttpMethod.valueOf(config.method()), config.path());
      request
          .headers()
          .set(HttpHeaderNames.HOST, config.host() == null ? endpoint.authority() : config.host())
          .set(HttpHeaderNames.USER_AGENT, "portico-health-check")
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
          .set(HttpHeaderNames.CONTENT_LENGTH, 0);
      ch.writeAndFlush(request)
          .addListener(
              w -> {
                if (!w.isSuccess()) {
                  finish(false, "write failed: " + describe(w.cause()));
                }
              });
    }

    /** Opens the one stream of a gRPC probe and sends {@code Health/Check}. */
    private void checkGrpc(Channel ch) {
      Http2FrameStream stream = ch.pipeline().get(GrpcStreams.class).open();
      Http2Headers headers =
          new DefaultHttp2Headers()
              .method("POST")
              .scheme(tls == null ? "http" : "https")
              .path(GrpcHealthMessages.PATH)
              .authority(config.host() == null ? endpoint.authority() : config.host());
      headers
          .set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
          .set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS)
          .set(HttpHeaderNames.USER_AGENT, "portico-health-check")
          .set("grpc-timeout", Math.max(1, config.timeout().toMillis()) + "m");
      ch.write(new DefaultHttp2HeadersFrame(headers).stream(stream));
      ch.writeAndFlush(
              new DefaultHttp2DataFrame(
                      GrpcHealthMessages.request(ch.alloc(), config.grpcService()), true)
                  .stream(stream))
          .addListener(
              w -> {
                if (!w.isSuccess()) {
                  finish(false, "write failed: " + describe(w.cause()));
                }
              });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (config.type() == HealthConfig.ProbeType.GRPC) {
        try {
          if (!done) {
            grpcFrame(msg);
          }
        } finally {
          ReferenceCountUtil.release(msg);
        }
        return;
      }
      try {
        if (msg instanceof HttpResponse response && !done) {
          if (response.decoderResult().isFailure()) {
            finish(false, "malformed response");
            return;
          }
          int status = response.status().code();
          if (status >= 100 && status < 200) {
            return;
          }
          finish(config.expected(status), String.valueOf(status));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      finish(false, "closed before a response");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      finish(false, describe(cause));
    }

    /** A frame of the gRPC probe's connection: the answer's headers, message and trailers. */
    private void grpcFrame(Object msg) {
      if (msg instanceof Http2HeadersFrame h) {
        Http2Headers headers = h.headers();
        if (!grpcHeadersSeen) {
          grpcHeadersSeen = true;
          CharSequence status = headers.status();
          if (status == null || !"200".contentEquals(status)) {
            finish(false, "HTTP status " + status);
            return;
          }
          CharSequence type = headers.get(HttpHeaderNames.CONTENT_TYPE);
          if (type == null || !type.toString().startsWith("application/grpc")) {
            finish(false, "not a gRPC response (content-type " + type + ")");
            return;
          }
        }
        CharSequence grpcStatus = headers.get("grpc-status");
        if (grpcStatus != null) {
          grpcStatus(GrpcStatus.ofHeader(grpcStatus), headers.get("grpc-message"));
        } else if (h.isEndStream()) {
          finish(false, "no grpc-status");
        }
      } else if (msg instanceof Http2DataFrame data) {
        if (servingStatus != NO_MESSAGE || data.content().readableBytes() > MAX_GRPC_RESPONSE) {
          finish(false, "unexpected response message");
          return;
        }
        if (grpcBody == null) {
          grpcBody = data.content().alloc().buffer(data.content().readableBytes());
        }
        grpcBody.writeBytes(data.content());
        if (grpcBody.readableBytes() > MAX_GRPC_RESPONSE) {
          finish(false, "unexpected response message");
          return;
        }
        if (grpcBody.readableBytes() >= GrpcFrameReader.PREFIX_BYTES) {
          long length = grpcBody.getUnsignedInt(grpcBody.readerIndex() + 1);
          if (grpcBody.getByte(grpcBody.readerIndex()) != 0) {
            finish(false, "compressed response message");
            return;
          }
          if (grpcBody.readableBytes() >= GrpcFrameReader.PREFIX_BYTES + length) {
            servingStatus =
                GrpcHealthMessages.servingStatus(
                    grpcBody.slice(
                        grpcBody.readerIndex() + GrpcFrameReader.PREFIX_BYTES, (int) length));
            grpcBody.release();
            grpcBody = null;
          }
        }
        if (data.isEndStream()) {
          finish(false, "no grpc-status");
        }
      } else if (msg instanceof Http2ResetFrame reset) {
        finish(false, "stream reset (error " + reset.errorCode() + ")");
      }
    }

    private void grpcStatus(GrpcStatus status, @Nullable CharSequence message) {
      if (status != GrpcStatus.OK) {
        finish(
            false,
            "grpc-status "
                + status.code()
                + " "
                + status
                + (message == null ? "" : ": " + message));
      } else if (servingStatus == NO_MESSAGE) {
        finish(false, "no response message");
      } else if (servingStatus == GrpcHealthMessages.MALFORMED) {
        finish(false, "malformed HealthCheckResponse");
      } else {
        finish(
            servingStatus == GrpcHealthMessages.SERVING,
            GrpcHealthMessages.statusName(servingStatus));
      }
    }

    private void finish(boolean healthy, String result) {
      if (done) {
        return;
      }
      done = true;
      if (grpcBody != null) {
        grpcBody.release();
        grpcBody = null;
      }
      if (deadline != null) {
        deadline.cancel(false);
      }
      if (channel != null) {
        channel.close();
      }
      if (stopped) {
        return;
      }
      record(healthy, result);
      next = loop.schedule(Probe.this::probe, nextDelayNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void record(boolean healthy, String result) {
    probes.incrementAndGet();
    lastResult = result;
    lastProbeAt = Instant.now();
    if (healthy) {
      failures = 0;
      if (!up && ++successes >= config.healthyThreshold()) {
        turn(true);
      }
    } else {
      successes = 0;
      if (up && ++failures >= config.unhealthyThreshold()) {
        turn(false);
      }
    }
  }

  private void turn(boolean nowUp) {
    up = nowUp;
    successes = 0;
    failures = 0;
    changedAt = Instant.now();
    onChange.accept(this, nowUp);
  }

  private static String describe(@Nullable Throwable cause) {
    if (cause == null) {
      return "unknown";
    }
    String m = cause.getMessage();
    return m == null ? cause.getClass().getSimpleName() : m;
  }
}
