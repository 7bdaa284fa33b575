package io.portico.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The access log: which exchanges are logged, what each line holds, and where lines go.
 *
 * @param sinks where lines go, each behind its own bounded queue; empty means the log is off
 * @param fields the fields of a line, in order (names of {@link #DEFAULT_FIELDS} and {@link
 *     #OPTIONAL_FIELDS})
 * @param sampleRatio the share of exchanges logged, from 0 to 1
 * @param keepErrors whether every exchange with a status of 400 or more, or a failure, is logged
 *     whatever the sampling
 * @param redactHeaders header names (lower case) whose values are replaced by {@link #REDACTED}
 * @param redactQuery query parameter names (lower case) whose values are replaced
 * @param body request and response body capture, or null when bodies are not captured
 * @param redactBody JSON member and form field names (lower case) whose values are replaced in
 *     captured bodies
 */
public record AccessLogConfig(
    List<SinkConfig> sinks,
    List<String> fields,
    double sampleRatio,
    boolean keepErrors,
    Set<String> redactHeaders,
    Set<String> redactQuery,
    @Nullable BodyCapture body,
    Set<String> redactBody) {

  /** An access log without body capture. */
  public AccessLogConfig(
      List<SinkConfig> sinks,
      List<String> fields,
      double sampleRatio,
      boolean keepErrors,
      Set<String> redactHeaders,
      Set<String> redactQuery) {
    this(
        sinks,
        fields,
        sampleRatio,
        keepErrors,
        redactHeaders,
        redactQuery,
        null,
        DEFAULT_REDACT_BODY);
  }

  /** What a redacted value is written as. */
  public static final String REDACTED = "[REDACTED]";

  /** The fields of a line unless {@code fields} says otherwise. */
  public static final List<String> DEFAULT_FIELDS =
      List.of(
          "time",
          "request_id",
          "trace_id",
          "client",
          "method",
          "path",
          "protocol",
          "host",
          "route",
          "service",
          "upstream",
          "status",
          "bytes_in",
          "bytes_out",
          "duration_ms",
          "upstream_connect_ms",
          "upstream_response_ms",
          "failure",
          "grpc_status",
          "attempts",
          "user_agent",
          "backends",
          "consumer",
          "ai_model",
          "ai_provider",
          "ai_provider_model",
          "prompt_tokens",
          "completion_tokens",
          "total_tokens",
          "tokens_estimated",
          "cost",
          "ttft_ms",
          "tokens_per_second",
          "ai_masked",
          "ai_cache",
          "request_body",
          "response_body");

  /** Fields written only when {@code fields.include} names them. */
  public static final List<String> OPTIONAL_FIELDS =
      List.of("query", "request_headers", "response_headers");

  /** Header names always redacted. */
  public static final Set<String> DEFAULT_REDACT_HEADERS =
      Set.of(
          "authorization",
          "proxy-authorization",
          "cookie",
          "set-cookie",
          "x-api-key",
          "apikey",
          "api-key",
          "api_key",
          "x-auth-token",
          "token",
          "access_token");

  /** Query parameter names always redacted. */
  public static final Set<String> DEFAULT_REDACT_QUERY =
      Set.of(
          "apikey",
          "api_key",
          "api-key",
          "x-api-key",
          "key",
          "token",
          "access_token",
          "refresh_token",
          "id_token",
          "client_secret",
          "password",
          "authorization");

  /** JSON member and form field names whose values are always redacted in captured bodies. */
  public static final Set<String> DEFAULT_REDACT_BODY =
      Set.of(
          "password",
          "passwd",
          "secret",
          "client_secret",
          "token",
          "access_token",
          "refresh_token",
          "id_token",
          "api_key",
          "apikey",
          "api-key",
          "x-api-key",
          "authorization",
          "private_key");

  /** The content types whose bodies are captured unless {@code body.content-types} says others. */
  public static final List<String> DEFAULT_BODY_TYPES =
      List.of(
          "text/*",
          "application/json",
          "application/*+json",
          "application/x-ndjson",
          "application/xml",
          "application/*+xml",
          "application/x-www-form-urlencoded",
          "application/graphql");

  /** The default queue of a sink, in lines. */
  public static final int DEFAULT_QUEUE = 65_536;

  /** One stdout sink with the default fields: what {@code access-log: stdout} means. */
  public static AccessLogConfig of(List<SinkConfig> sinks) {
    return new AccessLogConfig(
        sinks, DEFAULT_FIELDS, 1.0, true, DEFAULT_REDACT_HEADERS, DEFAULT_REDACT_QUERY);
  }

  /** The log when no {@code access-log} is configured: JSON lines on stdout. */
  public static final AccessLogConfig DEFAULTS =
      of(List.of(new StdoutSink("stdout", DEFAULT_QUEUE)));

  /** No access log. */
  public static final AccessLogConfig OFF = of(List.of());

  /** Whether any sink is configured. */
  public boolean enabled() {
    return !sinks.isEmpty();
  }

  /** Whether request or response bodies are captured on {@code route}. */
  public @Nullable BodyCapture bodyFor(RouteConfig route) {
    if (body == null || !enabled() || !route.accessLog()) {
      return null;
    }
    boolean on = route.accessLogBody() == null ? body.allRoutes() : route.accessLogBody();
    return on ? body : null;
  }

  /**
   * What is kept of request and response bodies for the access log.
   *
   * @param request whether the request body (as the client sent it) is captured
   * @param response whether the response body (as sent to the client) is captured
   * @param maxSize the most bytes kept of each body; the rest is counted, never held
   * @param contentTypes the media types captured ({@code text/*}, {@code application/*+json});
   *     compared without letter case or parameters
   * @param allRoutes whether every route captures unless it says {@code access-log: {body: false}};
   *     when false only routes with {@code body: true} do
   */
  public record BodyCapture(
      boolean request,
      boolean response,
      int maxSize,
      List<String> contentTypes,
      boolean allRoutes) {

    /** Whether a body of {@code contentType} (a header value, or null) is captured. */
    public boolean captures(@Nullable String contentType) {
      if (contentType == null) {
        return false;
      }
      int semi = contentType.indexOf(';');
      String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
      int slash = type.indexOf('/');
      if (slash <= 0) {
        return false;
      }
      for (int i = 0, n = contentTypes.size(); i < n; i++) {
        if (matches(contentTypes.get(i), type, slash)) {
          return true;
        }
      }
      return false;
    }

    private static boolean matches(String pattern, String type, int slash) {
      int pSlash = pattern.indexOf('/');
      String pMain = pattern.substring(0, pSlash);
      String pSub = pattern.substring(pSlash + 1);
      if (!pMain.equals("*") && !type.regionMatches(true, 0, pMain, 0, slash)) {
        return false;
      }
      if (!pMain.equals("*") && pMain.length() != slash) {
        return false;
      }
      String sub = type.substring(slash + 1);
      if (pSub.equals("*")) {
        return true;
      }
      if (pSub.startsWith("*")) {
        String suffix = pSub.substring(1);
        return sub.length() > suffix.length()
            && sub.regionMatches(true, sub.length() - suffix.length(), suffix, 0, suffix.length());
      }
      return sub.equalsIgnoreCase(pSub);
    }
  }

  /** One destination of lines. */
  public sealed interface SinkConfig permits FileSink, StdoutSink, HttpSink, SyslogSink, NatsSink {
    /** Unique among the log's sinks; names the sink in counts and thread names. */
    String name();

    /** Lines held for the sink at most; more are dropped and counted. */
    int queue();

    /** The word of {@code type}. */
    String type();
  }

  /**
   * A file, appended to. Without {@code maxSize} and {@code interval} it never rotates.
   *
   * @param maxSize rotate before a line would make the file larger than this; 0 = never
   * @param interval rotate when the file is older than this; null = never
   * @param compress gzip rotated files
   * @param keep rotated files kept at most (the oldest go first); 0 = no limit
   * @param maxAge rotated files older than this are deleted; null = no limit
   */
  public record FileSink(
      String name,
      int queue,
      Path path,
      long maxSize,
      @Nullable Duration interval,
      boolean compress,
      int keep,
      @Nullable Duration maxAge)
      implements SinkConfig {
    public String type() {
      return "file";
    }

    /** A file that never rotates. */
    public static FileSink simple(String name, Path path) {
      return new FileSink(name, DEFAULT_QUEUE, path, 0, null, false, 0, null);
    }
  }

  /** The process's standard output. */
  public record StdoutSink(String name, int queue) implements SinkConfig {
    public String type() {
      return "stdout";
    }
  }

  /**
   * Batches POSTed as a JSON array to a collector.
   *
   * @param batchSize lines per request at most
   * @param flushInterval how long a batch waits for more lines before it is sent
   * @param retries further attempts of a batch after a 5xx, 408, 429 or a connection failure
   * @param backoff the wait before the first retry, doubled for each next one up to {@code
   *     maxBackoff}
   * @param timeout of one request, connection included
   * @param headers sent with every request (a collector's token)
   */
  public record HttpSink(
      String name,
      int queue,
      URI url,
      int batchSize,
      Duration flushInterval,
      int retries,
      Duration backoff,
      Duration maxBackoff,
      Duration timeout,
      Map<String, String> headers)
      implements SinkConfig {
    public String type() {
      return "http";
    }
  }

  /**
   * RFC 5424 messages over UDP (one per datagram) or TCP (octet-counting framing, RFC 6587).
   *
   * @param protocol {@code udp} or {@code tcp}
   * @param facility the facility number (16 = local0)
   * @param appName the APP-NAME field
   */
  public record SyslogSink(
      String name,
      int queue,
      String host,
      int port,
      String protocol,
      int facility,
      String appName,
      Duration timeout)
      implements SinkConfig {
    public String type() {
      return "syslog";
    }
  }

  /** Each line published as one message on a NATS subject. */
  public record NatsSink(String name, int queue, String url, String subject, Duration timeout)
      implements SinkConfig {
    public String type() {
      return "nats";
    }
  }
}
