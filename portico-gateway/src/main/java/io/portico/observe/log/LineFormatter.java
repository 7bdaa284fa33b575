package io.portico.observe.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.handler.codec.http.HttpHeaders;
import io.portico.config.AccessLogConfig;
import io.portico.observe.ExchangeRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * An {@link ExchangeRecord} into one JSON object: the configured fields in their order, absent
 * values omitted, secret header and query values redacted.
 *
 * <p>Two halves: {@link #headers} runs on the exchange's event loop and copies the header names and
 * values a line shows (the record's headers are only valid there), nothing when it shows none;
 * {@link #format} runs on a sink's thread, into a buffer that thread reuses. Immutable apart from
 * those per-thread buffers, so every event loop and sink shares one.
 */
final class LineFormatter {

  private static final JsonFactory JSON = new JsonFactory();

  /** A sink thread's output buffer and its last formatted second. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private final Field[] fields;
  private final Redaction redaction;
  private final boolean requestHeaders;
  private final boolean responseHeaders;

  LineFormatter(List<String> fields, Redaction redaction) {
    this(fields.stream().map(Field::of).toArray(Field[]::new), redaction);
  }

  private LineFormatter(Field[] fields, Redaction redaction) {
    this.fields = fields;
    this.redaction = redaction;
    this.requestHeaders = Arrays.asList(this.fields).contains(Field.REQUEST_HEADERS);
    this.responseHeaders = Arrays.asList(this.fields).contains(Field.RESPONSE_HEADERS);
  }

  /** Whether a line shows the request's headers. */
  boolean readsRequestHeaders() {
    return requestHeaders;
  }

  /**
   * These fields with the credential places {@code headers} and {@code query} redacted too; see
   * {@link Redaction#with}.
   */
  LineFormatter withCredentials(Set<String> headers, Set<String> query) {
    return new LineFormatter(fields, redaction.with(headers, query));
  }

  /**
   * The line for {@code r}, on the exchange's event loop: the record without its header maps (a
   * queued line must not hold them), and a copy of the headers the line shows.
   */
  LogLine line(ExchangeRecord r) {
    return new LogLine(
        r.withoutHeaders(),
        requestHeaders ? headers(r.requestHeaders()) : null,
        responseHeaders ? headers(r.responseHeaders()) : null,
        this);
  }

  /** Names and values in turn, as sent; null when there are none. */
  private static String @Nullable [] headers(@Nullable HttpHeaders headers) {
    if (headers == null || headers.isEmpty()) {
      return null;
    }
    String[] out = new String[headers.size() * 2];
    int i = 0;
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    while (it.hasNext() && i < out.length) {
      Map.Entry<CharSequence, CharSequence> h = it.next();
      out[i++] = h.getKey().toString();
      out[i++] = h.getValue().toString();
    }
    return i == out.length ? out : Arrays.copyOf(out, i);
  }

  /** The line for {@code r} (whose headers are not read), UTF-8 JSON without a line break. */
  byte[] format(ExchangeRecord r) {
    return format(
        r,
        requestHeaders ? headers(r.requestHeaders()) : null,
        responseHeaders ? headers(r.responseHeaders()) : null);
  }

  /**
   * The line for {@code r}, UTF-8 JSON without a line break; any thread.
   *
   * @param request the request's header names and values in turn ({@link #line}), or null
   * @param response the response's, or null
   */
  byte[] format(ExchangeRecord r, String @Nullable [] request, String @Nullable [] response) {
    Scratch scratch = SCRATCH.get();
    ByteArrayOutputStream out = scratch.out;
    out.reset();
    try {
      JsonGenerator g = scratch.generator();
      g.writeStartObject();
      for (Field f : fields) {
        write(g, f, r, request, response, scratch);
      }
      g.writeEndObject();
      g.flush();
    } catch (IOException | RuntimeException e) {
      scratch.drop();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    byte[] line = out.toByteArray();
    if (out.size() > Scratch.KEEP) {
      scratch.out = new ByteArrayOutputStream(Scratch.KEEP);
      scratch.drop();
    }
    return line;
  }

  private void write(
      JsonGenerator g,
      Field f,
      ExchangeRecord r,
      String @Nullable [] request,
      String @Nullable [] response,
      Scratch scratch)
      throws IOException {
    switch (f) {
      case TIME -> {
        g.writeFieldName("time");
        g.writeString(scratch.time, 0, scratch.formatTime(r.startEpochMillis()));
      }
      case REQUEST_ID -> text(g, "request_id", r.requestId());
      case TRACE_ID -> text(g, "trace_id", r.traceId());
      case CLIENT -> text(g, "client", r.clientAddress());
      case METHOD -> text(g, "method", r.method());
      case PATH -> text(g, "path", r.path());
      case PROTOCOL -> text(g, "protocol", r.protocol());
      case HOST -> text(g, "host", r.host());
      case ROUTE -> text(g, "route", r.route());
      case SERVICE -> text(g, "service", r.service());
      case UPSTREAM -> text(g, "upstream", r.upstream());
      case STATUS -> g.writeNumberField("status", r.status());
      case BYTES_IN -> g.writeNumberField("bytes_in", r.requestBytes());
      case BYTES_OUT -> g.writeNumberField("bytes_out", r.responseBytes());
      case DURATION_MS -> g.writeNumberField("duration_ms", round(r.durationMillis()));
      case UPSTREAM_CONNECT_MS -> millis(g, "upstream_connect_ms", r.upstreamConnectMillis());
      case UPSTREAM_RESPONSE_MS -> millis(g, "upstream_response_ms", r.upstreamResponseMillis());
      case FAILURE -> text(g, "failure", r.failure());
      case GRPC_STATUS -> {
        if (r.grpcStatus() >= 0) {
          g.writeNumberField("grpc_status", r.grpcStatus());
        }
      }
      case ATTEMPTS -> {
        if (r.attempts() > 0) {
          g.writeNumberField("attempts", r.attempts());
        }
      }
      case USER_AGENT -> text(g, "user_agent", r.userAgent());
      case BACKENDS -> backends(g, r.backends());
      case CONSUMER -> text(g, "consumer", r.consumer());
      case AI_MODEL -> text(g, "ai_model", r.ai() == null ? null : r.ai().model());
      case AI_PROVIDER -> text(g, "ai_provider", r.ai() == null ? null : r.ai().provider());
      case AI_PROVIDER_MODEL ->
          text(g, "ai_provider_model", r.ai() == null ? null : r.ai().providerModel());
      case PROMPT_TOKENS ->
          tokens(g, "prompt_tokens", r.ai(), r.ai() == null ? -1 : r.ai().promptTokens());
      case COMPLETION_TOKENS ->
          tokens(g, "completion_tokens", r.ai(), r.ai() == null ? -1 : r.ai().completionTokens());
      case TOTAL_TOKENS ->
          tokens(g, "total_tokens", r.ai(), r.ai() == null ? -1 : r.ai().totalTokens());
      case TOKENS_ESTIMATED -> {
        if (r.ai() != null && r.ai().provider() != null) {
          g.writeBooleanField("tokens_estimated", r.ai().estimated());
        }
      }
      case COST -> {
        if (r.ai() != null && r.ai().cost() >= 0) {
          g.writeNumberField("cost", Math.round(r.ai().cost() * 1e9) / 1e9);
        }
      }
      case TTFT_MS -> millis(g, "ttft_ms", r.ai() == null ? -1 : r.ai().firstTokenMillis());
      case TOKENS_PER_SECOND -> {
        if (r.ai() != null && r.ai().tokensPerSecond() >= 0) {
          g.writeNumberField("tokens_per_second", Math.round(r.ai().tokensPerSecond() * 10) / 10.0);
        }
      }
      case AI_MASKED -> {
        if (r.ai() != null && r.ai().masked() >= 0) {
          g.writeNumberField("ai_masked", r.ai().masked());
        }
      }
      case AI_CACHE -> text(g, "ai_cache", r.ai() == null ? null : r.ai().cache());
      case QUERY -> {
        if (r.query() != null && !r.query().isEmpty()) {
          g.writeStringField("query", redaction.query(r.query()));
        }
      }
      case REQUEST_HEADERS -> headers(g, "request_headers", request);
      case RESPONSE_HEADERS -> headers(g, "response_headers", response);
      case REQUEST_BODY -> body(g, "request_body", r.requestBody());
      case RESPONSE_BODY -> body(g, "response_body", r.responseBody());
    }
  }

  /** {@code <name>} with the body's redacted text, and {@code <name>_truncated} when cut. */
  private void body(JsonGenerator g, String name, ExchangeRecord.@Nullable Body body)
      throws IOException {
    if (body == null) {
      return;
    }
    BodyText.Rendered text = BodyText.render(body, redaction);
    g.writeStringField(name, text.text());
    if (text.truncated()) {
      g.writeBooleanField(name + "_truncated", true);
    }
  }

  private void headers(JsonGenerator g, String name, String @Nullable [] headers)
      throws IOException {
    if (headers == null || headers.length == 0) {
      return;
    }
    Map<String, List<String>> byName = new TreeMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      String key = headers[i].toLowerCase(Locale.ROOT);
      String value =
          redaction.header(key)
              ? redaction.replacement()
              : key.equals("referer") || key.equals("location")
                  ? redaction.url(headers[i + 1])
                  : headers[i + 1];
      byName.computeIfAbsent(key, k -> new java.util.ArrayList<>(1)).add(value);
    }
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, List<String>> e : byName.entrySet()) {
      if (e.getValue().size() == 1) {
        g.writeStringField(e.getKey(), e.getValue().get(0));
      } else {
        g.writeArrayFieldStart(e.getKey());
        for (String v : e.getValue()) {
          g.writeString(v);
        }
        g.writeEndArray();
      }
    }
    g.writeEndObject();
  }

  private static void backends(JsonGenerator g, List<ExchangeRecord.Backend> backends)
      throws IOException {
    if (backends.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart("backends");
    for (ExchangeRecord.Backend b : backends) {
      g.writeStartObject();
      g.writeStringField("name", b.name());
      g.writeStringField("service", b.service());
      text(g, "upstream", b.upstream());
      if (b.status() > 0) {
        g.writeNumberField("status", b.status());
      }
      if (b.durationMillis() >= 0) {
        g.writeNumberField("duration_ms", round(b.durationMillis()));
      }
      text(g, "failure", b.failure());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void tokens(JsonGenerator g, String name, ExchangeRecord.@Nullable Ai ai, long n)
      throws IOException {
    if (ai != null && n >= 0) {
      g.writeNumberField(name, n);
    }
  }

  private static void millis(JsonGenerator g, String name, double ms) throws IOException {
    if (ms >= 0) {
      g.writeNumberField(name, round(ms));
    }
  }

  private static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }

  private static void text(JsonGenerator g, String name, @Nullable String value)
      throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  /** What one sink thread reuses from line to line. */
  static final class Scratch {
    /** Buffers grown past this by a long line are not kept. */
    static final int KEEP = 16 * 1024;

    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);

    /**
     * A generator over {@link #out}, kept from line to line (one JSON value each, with no separator
     * between them); dropped with a line that failed half-written and with a replaced buffer.
     */
    private @Nullable JsonGenerator generator;

    JsonGenerator generator() throws IOException {
      JsonGenerator g = generator;
      if (g == null) {
        g = JSON.createGenerator(out);
        g.setRootValueSeparator(null);
        generator = g;
      }
      return g;
    }

    void drop() {
      generator = null;
    }

    /** {@code time}: ISO-8601 as {@link Instant#toString()} writes it. */
    final char[] time = new char[40];

    private long second = Long.MIN_VALUE;
    private int secondLength;

    /**
     * Writes the instant {@code epochMillis} into {@link #time} as {@code Instant.toString()} does
     * (seconds always, milliseconds when not zero) and returns its length. The part up to the
     * seconds is made once per second.
     */
    int formatTime(long epochMillis) {
      long s = Math.floorDiv(epochMillis, 1000L);
      int ms = (int) Math.floorMod(epochMillis, 1000L);
      if (s != second) {
        String whole = Instant.ofEpochSecond(s).toString(); // ends with Z
        secondLength = whole.length() - 1;
        whole.getChars(0, secondLength, time, 0);
        second = s;
      }
      int n = secondLength;
      if (ms != 0) {
        time[n++] = '.';
        time[n++] = (char) ('0' + ms / 100);
        time[n++] = (char) ('0' + ms / 10 % 10);
        time[n++] = (char) ('0' + ms % 10);
      }
      time[n++] = 'Z';
      return n;
    }
  }

  /** The fields a line may hold; see {@link AccessLogConfig#DEFAULT_FIELDS}. */
  enum Field {
    TIME,
    REQUEST_ID,
    TRACE_ID,
    CLIENT,
    METHOD,
    PATH,
    PROTOCOL,
    HOST,
    ROUTE,
    SERVICE,
    UPSTREAM,
    STATUS,
    BYTES_IN,
    BYTES_OUT,
    DURATION_MS,
    UPSTREAM_CONNECT_MS,
    UPSTREAM_RESPONSE_MS,
    FAILURE,
    GRPC_STATUS,
    ATTEMPTS,
    USER_AGENT,
    BACKENDS,
    CONSUMER,
    AI_MODEL,
    AI_PROVIDER,
    AI_PROVIDER_MODEL,
    PROMPT_TOKENS,
    COMPLETION_TOKENS,
    TOTAL_TOKENS,
    TOKENS_ESTIMATED,
    COST,
    TTFT_MS,
    TOKENS_PER_SECOND,
    AI_MASKED,
    AI_CACHE,
    REQUEST_BODY,
    RESPONSE_BODY,
    QUERY,
    REQUEST_HEADERS,
    RESPONSE_HEADERS;

    static Field of(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }
}
