package io.portico.plugins.transform;

import io.netty.handler.codec.http.HttpMethod;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.template.Destination;
import io.portico.template.Encodings;
import io.portico.template.Scope;
import io.portico.template.Template;
import io.portico.template.Variable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * {@code request-transformer}: reshapes the request sent upstream, in the ACCESS phase at priority
 * 900 (after authentication, authorization and rate limits, so the consumer and the token's claims
 * are known; before {@code echo} and {@code mock}): method, path, query, headers and a JSON or form
 * body, with values from {@link Template}s (docs/plugins/request-transformer.md).
 *
 * <p>Load time: every section compiles into immutable parts ({@link RequestTransformerQuery},
 * {@link RequestTransformerHeaders}, {@link RequestTransformerBody}); every problem is reported at
 * once with its place. Request time: {@link RequestTransformerPlugin}.
 */
public final class RequestTransformerFactory implements PluginFactory<RequestTransformerConfig> {

  static final String NAME = "request-transformer";

  private static final String METHOD_RULE =
      "an HTTP method such as GET, POST, PUT, PATCH or DELETE";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 900;
  }

  @Override
  public @Nullable RequestTransformerConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    HttpMethod method = null;
    ConfigNode methodNode = config.child("method");
    if (methodNode != null) {
      String text = methodNode.text();
      if (!methodNode.isScalar() || text == null || !Encodings.isToken(text)) {
        problems.expected(methodNode, METHOD_RULE);
      } else {
        method = HttpMethod.valueOf(text);
      }
    }
    Template path = null;
    ConfigNode pathNode = config.child("path");
    if (pathNode != null) {
      path = Template.compile(pathNode, Scope.REQUEST_BODY, Destination.URI, problems);
      if (path != null && (!path.text().startsWith("/") || path.text().contains("?"))) {
        problems.expected(pathNode, "a path starting with / and without a query (use query)");
      }
    }
    RequestTransformerQuery query =
        RequestTransformerQuery.parse(config.object("query"), Scope.REQUEST_BODY);
    RequestTransformerHeaders headers =
        RequestTransformerHeaders.parse(config.object("headers"), Scope.REQUEST_BODY);
    RequestTransformerBody body = RequestTransformerBody.parse(config.object("body"));
    if (methodNode == null
        && pathNode == null
        && query.isEmpty()
        && headers.isEmpty()
        && !body.edits()
        && problems.isEmpty()) {
      problems.at(
          config.node(),
          "no edits (expected: at least one of method, path, query, headers or body)");
    }
    Stream<Template> templates =
        Stream.of(
                Stream.ofNullable(path),
                query.set().stream().map(RequestTransformerQuery.Edit::value),
                query.add().stream().map(RequestTransformerQuery.Edit::value),
                Stream.of(headers.set(), headers.add(), headers.append())
                    .flatMap(edits -> edits.stream().map(RequestTransformerHeaders.Edit::value)))
            .flatMap(s -> s);
    boolean readsBody =
        body.edits() || templates.anyMatch(t -> t.variables().contains(Variable.BODY));
    return new RequestTransformerConfig(method, path, query, headers, body, readsBody);
  }

  @Override
  public Plugin create(RequestTransformerConfig config, PluginContext context) {
    return new RequestTransformerPlugin(config);
  }
}
