package io.portico.proxy;

import io.netty.channel.EventLoop;
import io.opentelemetry.api.trace.Span;
import io.portico.observe.trace.RequestTrace;
import io.portico.plugin.PluginChain;
import io.portico.spi.plugin.BodyTransform;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a route's plugins, phase by phase, for one exchange: the filter manager of the data plane.
 *
 * <p>The request phases (REWRITE, then ACCESS) run plugin after plugin until one replies, fails, or
 * waits: {@link Outcome#await} suspends the run, and it resumes at the next plugin on the
 * exchange's event loop, whatever thread completes the stage. The run then tells its {@link Host}
 * how it ended: {@link Host#onRequestPhasesPassed}, {@link Host#onReply} or {@link
 * Host#onPluginFailed}. The RESPONSE, RESPONSE_BODY and LOG phases run synchronously; a plugin that
 * throws there is logged and skipped. Every log line names the plugin as configured.
 *
 * <p>Confined to the exchange's event loop.
 */
final class PhaseRunner {

  private static final Logger log = LoggerFactory.getLogger(PhaseRunner.class);

  /** The exchange the phases run for. */
  interface Host {

    /** The exchange as plugins see it. */
    Exchange exchange();

    /** Whether the exchange has ended (a suspended run then never resumes). */
    boolean ended();

    /** Every REWRITE and ACCESS plugin proceeded. */
    void onRequestPhasesPassed();

    /** A plugin answered locally. */
    void onReply(Reply reply);

    /** A plugin threw, returned something unknown, or its awaited stage failed. */
    void onPluginFailed();

    /**
     * The first plugin of the RESPONSE_BODY phase returned a transform: the body will be read, so
     * an encoded one is to be decoded (and its head say so) before the next plugin is asked.
     */
    void onFirstBodyTransform();

    /** The exchange's trace, or null when tracing is off. */
    default @Nullable RequestTrace trace() {
      return null;
    }
  }

  /**
   * The runner of every exchange without plugins ({@link PluginChain#EMPTY}): each phase is empty,
   * so it keeps no state and no exchange, and one serves them all. Such an exchange passes its
   * request phases at once instead of running them here ({@link #runRequestPhases} refuses).
   */
  static final PhaseRunner NONE = new PhaseRunner(PluginChain.EMPTY, NoHost.INSTANCE);

  private final PluginChain chain;
  private final Host host;
  // which phase and plugin run next, to resume after asynchronous work
  private int phaseIndex;
  private int pluginIndex;
  private @Nullable String repliedBy;
  private @Nullable String replyReason;
  private boolean repliedByAuthentication;
  // the span of the plugin whose asynchronous work runs (plugin-spans on), or null
  private @Nullable Span waiting;

  PhaseRunner(PluginChain chain, Host host) {
    this.chain = chain;
    this.host = host;
    if (host == NoHost.INSTANCE) {
      phaseIndex = 2;
    }
  }

  /** The host of {@link #NONE}, whose phases never reach it. */
  private enum NoHost implements Host {
    INSTANCE;

    @Override
    public Exchange exchange() {
      throw new IllegalStateException("no exchange: a run without plugins");
    }

    @Override
    public boolean ended() {
      throw new IllegalStateException("no exchange: a run without plugins");
    }

    @Override
    public void onRequestPhasesPassed() {
      throw new IllegalStateException("no exchange: a run without plugins");
    }

    @Override
    public void onReply(Reply reply) {
      throw new IllegalStateException("no exchange: a run without plugins");
    }

    @Override
    public void onPluginFailed() {
      throw new IllegalStateException("no exchange: a run without plugins");
    }

    @Override
    public void onFirstBodyTransform() {
      throw new IllegalStateException("no exchange: a run without plugins");
    }
  }

  /** Whether the request phases are over (passed, answered or failed). */
  boolean requestPhasesOver() {
    return phaseIndex >= 2;
  }

  /** The name of the plugin that answered the request locally, or null when none did. */
  @Nullable String repliedBy() {
    return repliedBy;
  }

  /**
   * Whether the plugin that answered is an authentication plugin ({@link
   * PluginChain#authenticates}).
   */
  boolean repliedByAuthentication() {
    return repliedByAuthentication;
  }

  /**
   * The {@link Reply#reason()} of the plugin that answered the request locally (an authentication
   * plugin's {@code jwt_expired}, for instance), or null when none did or it gave no reason.
   */
  @Nullable String replyReason() {
    return replyReason;
  }

  /** Runs (or resumes) the REWRITE and ACCESS phases. */
  void runRequestPhases() {
    if (this == NONE) {
      throw new IllegalStateException("an exchange without plugins passes its request phases");
    }
    Exchange exchange = host.exchange();
    while (phaseIndex < 2) {
      Plugin[] plugins = phaseIndex == 0 ? chain.rewrite() : chain.access();
      while (pluginIndex < plugins.length) {
        Plugin plugin = plugins[pluginIndex++];
        RequestTrace trace = host.trace();
        Span span =
            trace == null
                ? null
                : trace.plugin(chain.nameOf(plugin), phaseIndex == 0 ? "rewrite" : "access");
        Outcome outcome;
        try {
          outcome = phaseIndex == 0 ? plugin.rewrite(exchange) : plugin.access(exchange);
          if (span != null) {
            if (outcome instanceof Outcome.Pending) {
              waiting = span;
            } else {
              RequestTrace.endPlugin(span, outcome instanceof Reply r ? replied(r) : null);
            }
          }
        } catch (RuntimeException e) {
          RequestTrace.endPlugin(span, "plugin_error");
          log.warn(
              "plugin {} failed in the {} phase of request {}",
              chain.nameOf(plugin),
              phaseIndex == 0 ? "rewrite" : "access",
              exchange.requestId(),
              e);
          stop();
          host.onPluginFailed();
          return;
        }
        if (host.ended() || !handle(outcome, plugin)) {
          // ended: the plugin's request for the body failed the exchange
          return;
        }
      }
      phaseIndex++;
      pluginIndex = 0;
    }
    host.onRequestPhasesPassed();
  }

  /** Returns true to go on with the next plugin. */
  private boolean handle(Outcome outcome, Plugin plugin) {
    if (outcome == Outcome.Proceed.INSTANCE) {
      return true;
    }
    if (outcome instanceof Reply reply) {
      stop();
      repliedBy = chain.nameOf(plugin);
      repliedByAuthentication = chain.authenticates(plugin);
      replyReason = reply.reason();
      host.onReply(reply);
      return false;
    }
    if (outcome instanceof Outcome.Pending pending) {
      EventLoop loop = host.exchange().eventLoop();
      pending
          .stage()
          .whenComplete(
              (next, error) -> {
                if (loop.inEventLoop()) {
                  resume(next, error, plugin);
                } else {
                  loop.execute(() -> resume(next, error, plugin));
                }
              });
      return false;
    }
    log.warn(
        "plugin {} returned an unknown outcome on request {}",
        chain.nameOf(plugin),
        host.exchange().requestId());
    stop();
    host.onPluginFailed();
    return false;
  }

  private void resume(Outcome next, Throwable error, Plugin plugin) {
    Span span = waiting;
    waiting = null;
    if (span != null && next instanceof Outcome.Pending && error == null && !host.ended()) {
      waiting = span; // the plugin waits again: its span goes on
      span = null;
    }
    RequestTrace.endPlugin(
        span,
        host.ended()
            ? "cancelled"
            : error != null || next == null
                ? "plugin_error"
                : next instanceof Reply r ? replied(r) : null);
    if (host.ended()) {
      return;
    }
    if (error != null || next == null) {
      log.warn(
          "asynchronous work of plugin {} failed on request {}",
          chain.nameOf(plugin),
          host.exchange().requestId(),
          error);
      stop();
      host.onPluginFailed();
      return;
    }
    if (handle(next, plugin)) {
      runRequestPhases();
    }
  }

  /** What a plugin span records of a local reply: its status, when it is an error. */
  private static @Nullable String replied(Reply reply) {
    int code = reply.status().code();
    return code >= 400 ? Integer.toString(code) : null;
  }

  private void stop() {
    phaseIndex = 2;
  }

  /** Runs the RESPONSE phase on the response head in the exchange. */
  void runResponsePhase() {
    Plugin[] plugins = chain.response();
    if (plugins.length == 0) {
      return;
    }
    Exchange exchange = host.exchange();
    RequestTrace trace = host.trace();
    for (Plugin p : plugins) {
      Span span = trace == null ? null : trace.plugin(chain.nameOf(p), "response");
      try {
        p.response(exchange);
        RequestTrace.endPlugin(span, null);
      } catch (RuntimeException e) {
        RequestTrace.endPlugin(span, "plugin_error");
        log.warn(
            "plugin {} failed in the response phase of request {}",
            chain.nameOf(p),
            exchange.requestId(),
            e);
      }
    }
  }

  /**
   * Runs the RESPONSE_BODY phase: the transforms the plugins chose for this response, in order, or
   * null when none did (the common case, which allocates nothing). A plugin that throws here is
   * logged and its exception rethrown (the transforms returned before it closed): a body a plugin
   * meant to change is never sent unchanged.
   */
  @Nullable List<BodyTransform> responseBodyTransforms() {
    Plugin[] plugins = chain.responseBody();
    if (plugins.length == 0) {
      return null;
    }
    Exchange exchange = host.exchange();
    List<BodyTransform> transforms = null;
    for (Plugin p : plugins) {
      BodyTransform t;
      try {
        t = p.responseBody(exchange);
      } catch (RuntimeException e) {
        log.warn(
            "plugin {} failed in the response-body phase of request {}",
            chain.nameOf(p),
            exchange.requestId(),
            e);
        if (transforms != null) {
          // The body never flows through the transforms already returned: closed now.
          ResponseBodyPipeline.close(transforms);
        }
        throw e;
      }
      if (t != null) {
        if (transforms == null) {
          transforms = new ArrayList<>(2);
          host.onFirstBodyTransform();
        }
        transforms.add(t);
      }
    }
    return transforms;
  }

  /** Runs the LOG phase. */
  void runLogPhase() {
    Plugin[] plugins = chain.log();
    if (plugins.length == 0) {
      return;
    }
    Exchange exchange = host.exchange();
    for (Plugin p : plugins) {
      try {
        p.log(exchange);
      } catch (RuntimeException e) {
        log.warn(
            "plugin {} failed in the log phase of request {}",
            chain.nameOf(p),
            exchange.requestId(),
            e);
      }
    }
  }
}
