package io.portico.plugins.builtin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.spi.plugin.Reply;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code mock}: answers in ACCESS with a fixed response, without calling an upstream. The body is
 * either {@code body} (text) or {@code json} (any config value, rendered as JSON once, at load
 * time); the plugin encodes it to bytes once when it is created.
 */
public final class MockFactory implements PluginFactory<MockConfig> {

  static final String TEXT = "text/plain; charset=utf-8";
  static final String JSON = "application/json";

  @Override
  public String name() {
    return "mock";
  }

  @Override
  public int priority() {
    return 90;
  }

  @Override
  public MockConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    int status = config.integer("status", 200, 200, 599);
    List<MockConfig.Header> headers = headers(config);
    String text = config.string("body", null);
    ConfigNode json = config.child("json");
    String contentType = config.string("content-type", null);
    if (contentType != null && !HeaderRules.isPrintable(contentType)) {
      config.expected("content-type", HeaderRules.VALUE_RULE);
    }
    String body = text;
    if (json != null) {
      if (text != null) {
        problems.at(json, "both body and json (expected: one of them)");
      }
      body = render(json);
      contentType = contentType == null ? JSON : contentType;
    } else if (text != null) {
      contentType = contentType == null ? TEXT : contentType;
    }
    if (body != null && (status == 204 || status == 304)) {
      config.expected("status", "a status that allows a body (not 204 or 304)");
    }
    return new MockConfig(status, headers, contentType, body);
  }

  private static List<MockConfig.Header> headers(ConfigReader config) {
    Problems problems = config.problems();
    List<MockConfig.Header> out = new ArrayList<>();
    for (Map.Entry<String, ConfigNode> e : ConfigValues.stringMap(config, "headers").entrySet()) {
      String name = e.getKey();
      ConfigNode node = e.getValue();
      if (!ConfigValues.checkHeaderName(name, node, problems)) {
        continue;
      }
      if (HttpHeaderNames.CONTENT_TYPE.contentEqualsIgnoreCase(name)) {
        problems.at(node, "\"" + name + "\" (expected: content-type set by the content-type key)");
      } else if (!HeaderRules.isPrintable(node.scalarText())) {
        problems.expected(node, HeaderRules.VALUE_RULE);
      } else {
        out.add(new MockConfig.Header(AsciiString.of(name), node.scalarText()));
      }
    }
    return out;
  }

  private static String render(ConfigNode json) {
    try {
      return new ObjectMapper().writeValueAsString(JsonValues.of(json));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("rendering a tree of plain values", e);
    }
  }

  @Override
  public Plugin create(MockConfig config, PluginContext context) {
    return new MockPlugin(config);
  }

  /** Answers every exchange with the one {@link Reply} built from the config. */
  private static final class MockPlugin implements Plugin {

    private final Reply reply;

    MockPlugin(MockConfig config) {
      HttpResponseStatus status = HttpResponseStatus.valueOf(config.status());
      Reply reply =
          config.contentType() == null
              ? Reply.of(status)
              : Reply.of(
                  status,
                  config.contentType(),
                  config.body() == null
                      ? new byte[0]
                      : config.body().getBytes(StandardCharsets.UTF_8));
      for (MockConfig.Header header : config.headers()) {
        reply = reply.withHeader(header.name(), header.value());
      }
      this.reply = reply;
    }

    @Override
    public Set<Phase> phases() {
      return Set.of(Phase.ACCESS);
    }

    @Override
    public Outcome access(Exchange exchange) {
      return reply;
    }
  }
}
