package io.portico.plugins.transform;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code json-xml}: converts JSON request bodies to XML for the upstream and XML response bodies to
 * JSON for the client, for legacy backends (docs/plugins/json-xml.md). ACCESS at priority 880
 * (after {@code request-transformer}, so its edits are converted) and RESPONSE_BODY at 880 (before
 * {@code response-transformer} and {@code compression}, whose steps get the JSON).
 *
 * <p>Load time: both sections are checked and compiled into a {@link JsonXmlConfig}, every problem
 * reported at once with its place. Request time: {@link JsonXmlPlugin}.
 */
public final class JsonXmlFactory implements PluginFactory<JsonXmlConfig> {

  static final String NAME = "json-xml";

  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+|\\+[a-z0-9!#$&^_.-]+");
  private static final String TYPE_RULE =
      "a media type such as application/json, or a suffix such as +json";
  private static final long DEFAULT_MAX = 1024 * 1024;
  private static final long MAX_MAX = 1L << 30;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 880;
  }

  @Override
  public @Nullable JsonXmlConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    int before = problems.size();
    String attributePrefix = config.string("attribute-prefix", "@");
    if (attributePrefix.isEmpty() || XmlNames.isNameStart(attributePrefix.codePointAt(0))) {
      config.expected("attribute-prefix", "a prefix that cannot start an XML name, such as @ or -");
    }
    String textKey = config.string("text-key", "#text");
    if (textKey.isEmpty()
        || XmlNames.isNameStart(textKey.codePointAt(0))
        || (!attributePrefix.isEmpty() && textKey.startsWith(attributePrefix))) {
      config.expected(
          "text-key",
          "a member name that is not an XML name and does not start with the attribute prefix,"
              + " such as #text");
    }
    JsonXmlConfig.RequestSide request =
        config.has("request") ? request(config.object("request")) : null;
    JsonXmlConfig.ResponseSide response =
        config.has("response") ? response(config.object("response")) : null;
    if (problems.size() == before && request == null && response == null) {
      problems.at(
          config.node(), "nothing to convert (expected: a request section, a response section)");
    }
    return problems.size() == before
        ? new JsonXmlConfig(attributePrefix, textKey, request, response)
        : null;
  }

  private static JsonXmlConfig.RequestSide request(ConfigReader r) {
    Problems problems = r.problems();
    Map<String, String> namespaces = new LinkedHashMap<>();
    ConfigNode nsNode = r.child("namespaces");
    if (nsNode != null && !nsNode.isObject()) {
      problems.expected(nsNode, "an object of prefix: namespace URI");
    } else if (nsNode != null) {
      for (Map.Entry<String, ConfigNode> e : nsNode.fields().entrySet()) {
        String prefix = e.getKey();
        String uri = e.getValue().isScalar() ? e.getValue().text() : null;
        if (!XmlNames.isNcName(prefix) || prefix.toLowerCase(Locale.ROOT).startsWith("xml")) {
          problems.at(
              e.getValue(),
              '"'
                  + prefix
                  + "\" (expected: a namespace prefix: an XML name without a colon,"
                  + " not starting with xml)");
        } else if (!isNamespaceUri(uri)) {
          problems.expected(e.getValue(), "a namespace URI");
        } else {
          namespaces.put(prefix, uri);
        }
      }
    }
    String namespace = r.string("namespace", null);
    if (namespace != null && !isNamespaceUri(namespace)) {
      r.expected("namespace", "a namespace URI");
    }
    String root = r.string("root", "root");
    checkName(r, "root", root, namespaces);
    JsonXmlConfig.Arrays arrays =
        "wrap".equals(r.oneOf("arrays", "repeat", List.of("repeat", "wrap")))
            ? JsonXmlConfig.Arrays.WRAP
            : JsonXmlConfig.Arrays.REPEAT;
    String arrayItem = r.string("array-item", "item");
    checkName(r, "array-item", arrayItem, namespaces);
    List<String> contentTypes =
        contentTypes(r, List.of("application/json", "+json"), "content-types");
    String contentType = r.string("content-type", "application/xml; charset=utf-8");
    String sent = JsonXmlConfig.mediaType(contentType);
    if (sent == null || !MEDIA_TYPE.matcher(sent).matches() || sent.startsWith("+")) {
      r.expected("content-type", "a Content-Type such as application/xml; charset=utf-8");
    }
    boolean declaration = r.bool("declaration", true);
    long maxSize = r.size("max-size", DEFAULT_MAX, 1, MAX_MAX);
    r.finish();
    return new JsonXmlConfig.RequestSide(
        root,
        namespace,
        Collections.unmodifiableMap(namespaces),
        arrays,
        arrayItem,
        contentTypes,
        contentType,
        declaration,
        maxSize);
  }

  private static JsonXmlConfig.ResponseSide response(ConfigReader r) {
    List<String> contentTypes =
        contentTypes(r, List.of("application/xml", "text/xml", "+xml"), "content-types");
    boolean keepPrefixes = "keep".equals(r.oneOf("prefixes", "strip", List.of("strip", "keep")));
    boolean keepRoot = r.bool("keep-root", false);
    boolean inferTypes = r.bool("infer-types", false);
    LinkedHashSet<String> forceArrays = new LinkedHashSet<>();
    for (ConfigNode item : r.list("force-arrays")) {
      String name = item.isScalar() ? item.text() : null;
      if (name == null || !XmlNames.isQName(name)) {
        r.problems().expected(item, "an element name");
      } else {
        forceArrays.add(name);
      }
    }
    int maxSize = (int) r.size("max-size", DEFAULT_MAX, 1, MAX_MAX);
    r.finish();
    return new JsonXmlConfig.ResponseSide(
        contentTypes,
        keepPrefixes,
        keepRoot,
        inferTypes,
        Collections.unmodifiableSet(forceArrays),
        maxSize);
  }

  private static List<String> contentTypes(ConfigReader r, List<String> defaults, String key) {
    if (!r.has(key)) {
      return defaults;
    }
    ConfigNode node = r.child(key);
    List<String> out = new ArrayList<>();
    List<ConfigNode> items = node != null && node.isScalar() ? List.of(node) : r.list(key);
    for (ConfigNode item : items) {
      String type = item.isScalar() ? item.scalarText().trim().toLowerCase(Locale.ROOT) : null;
      if (type == null || !MEDIA_TYPE.matcher(type).matches()) {
        r.problems().expected(item, TYPE_RULE);
      } else {
        out.add(type);
      }
    }
    if (out.isEmpty() && node != null && node.isList() && node.items().isEmpty()) {
      r.problems().expected(node, "at least one " + TYPE_RULE);
    }
    return List.copyOf(out);
  }

  /** An element name: a qualified name whose prefix, if any, is declared in {@code namespaces}. */
  private static void checkName(
      ConfigReader r, String key, String name, Map<String, String> namespaces) {
    if (!XmlNames.isQName(name)) {
      r.expected(key, "an XML element name such as order or soap:Envelope");
      return;
    }
    String prefix = XmlNames.prefix(name);
    if (!prefix.isEmpty() && !namespaces.containsKey(prefix)) {
      r.expected(key, "a prefix declared in namespaces (\"" + prefix + "\" is not)");
    }
  }

  private static boolean isNamespaceUri(@Nullable String uri) {
    return uri != null && !uri.isBlank() && uri.chars().noneMatch(Character::isWhitespace);
  }

  @Override
  public Plugin create(JsonXmlConfig config, PluginContext context) {
    return new JsonXmlPlugin(config);
  }
}
