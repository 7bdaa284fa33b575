package io.portico.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 */
public record AccessLogConfig(
    List<SinkConfig> sinks,
    List<String> fields,
    double sampleRatio,
    boolean keepErrors,
    Set<String> redactHeaders,
    Set<String> redactQuery) {

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
          "ai_cache");

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
      Duration interval,
      boolean compress,
      int keep,
      Duration maxAge)
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
