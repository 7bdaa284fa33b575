package io.portico.plugins.builtin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.spi.plugin.Reply;
import io.portico.template.ClientAddresses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code echo}: answers in ACCESS with a JSON description of the request, without calling an
 * upstream. Credentials ({@code Authorization}, {@code Proxy-Authorization}, {@code Cookie}) are
 * shown as {@code [redacted]}.
 *
 * <pre>{@code
 * {"method": "GET", "path": "/echo/42", "query": {"a": ["1"]},
 *  "headers": {"host": ["localhost:8080"], "authorization": ["[redacted]"]},
 *  "client_address": "127.0.0.1", "route": "echo", "path_params": {"id": "42"},
 *  "request_id": "..."}
 * }</pre>
 */
public final class EchoFactory implements PluginFactory<EchoConfig> {

  static final String REDACTED = "[redacted]";

  private static final List<AsciiString> SECRET_HEADERS =
      List.of(
          HttpHeaderNames.AUTHORIZATION,
          HttpHeaderNames.PROXY_AUTHORIZATION,
          HttpHeaderNames.COOKIE);

  @Override
  public String name() {
    return "echo";
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public EchoConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    int status = config.integer("status", 200, 200, 599);
    if (status == 204 || status == 304) {
      config.expected("status", "a status that allows a body (not 204 or 304)");
    }
    return new EchoConfig(status);
  }

  @Override
  public Plugin create(EchoConfig config, PluginContext context) {
    return new EchoPlugin(HttpResponseStatus.valueOf(config.status()));
  }

  private static final class EchoPlugin implements Plugin {

    private final HttpResponseStatus status;
    private final JsonFactory json = new JsonFactory();

    EchoPlugin(HttpResponseStatus status) {
      this.status = status;
    }

    @Override
    public Set<Phase> phases() {
      return Set.of(Phase.ACCESS);
    }

    @Override
    public Outcome access(Exchange exchange) {
      return Reply.of(status, "application/json", describe(exchange));
    }

    private byte[] describe(Exchange exchange) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(512);
      try (JsonGenerator g = json.createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField("method", exchange.request().method().name());
        g.writeStringField("path", exchange.path());
        g.writeObjectFieldStart("query");
        for (Map.Entry<String, List<String>> e : exchange.queryParameters().entrySet()) {
          writeList(g, e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeObjectFieldStart("headers");
        for (Map.Entry<String, List<String>> e : headers(exchange.request().headers()).entrySet()) {
          writeList(g, e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeStringField("client_address", ClientAddresses.clientIp(exchange));
        g.writeStringField("route", exchange.routeName());
        g.writeObjectFieldStart("path_params");
        for (Map.Entry<String, String> e : exchange.pathParameters().entrySet()) {
          g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeStringField("request_id", exchange.requestId());
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException("writing to memory", e);
      }
      return out.toByteArray();
    }

    /** Header values grouped by lower-case name, in arrival order, secrets redacted. */
    private static Map<String, List<String>> headers(HttpHeaders headers) {
      Map<String, List<String>> out = new LinkedHashMap<>();
      Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
      while (it.hasNext()) {
        Map.Entry<CharSequence, CharSequence> e = it.next();
        String value = isSecret(e.getKey()) ? REDACTED : e.getValue().toString();
        out.computeIfAbsent(e.getKey().toString().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .add(value);
      }
      return out;
    }

    private static boolean isSecret(CharSequence name) {
      for (AsciiString secret : SECRET_HEADERS) {
        if (secret.contentEqualsIgnoreCase(name)) {
          return true;
        }
      }
      return false;
    }

    private static void writeList(JsonGenerator g, String name, List<String> values)
        throws IOException {
      g.writeArrayFieldStart(name);
      for (String value : values) {
        g.writeString(value);
      }
      g.writeEndArray();
    }
  }
}
