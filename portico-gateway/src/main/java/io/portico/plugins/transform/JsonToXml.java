package io.portico.plugins.transform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.jspecify.annotations.Nullable;

/**
 * A JSON document into XML, as {@code json-xml}'s request side is configured.
 *
 * <pre>
 *   {"id": 7, "@version": "2", "tags": ["a", "b"], "note": null, "price": {"@cur": "EUR", "#text": 9.5}}
 *   ─▶ &lt;order version="2"&gt;&lt;id&gt;7&lt;/id&gt;&lt;tags&gt;a&lt;/tags&gt;&lt;tags&gt;b&lt;/tags&gt;&lt;note/&gt;&lt;price cur="EUR"&gt;9.5&lt;/price&gt;&lt;/order&gt;
 * </pre>
 *
 * <p>The document is read with Jackson's streaming parser into a small tree (objects in order,
 * arrays, and every scalar as the text it is in the document, so {@code 1.50} stays {@code 1.50}),
 * then written with the JDK's StAX writer. The tree is needed because attributes ({@code @name}
 * members) must be written before any child, wherever they stand in the object. Numbers, booleans
 * and null become text (null an empty element). The root element gets the configured namespace
 * declarations; names may use a declared prefix ({@code soap:Body}).
 *
 * <p>Immutable and thread-safe; the StAX factory is per thread.
 */
final class JsonToXml {

  /** A document that parses as JSON but cannot be written as XML as configured. */
  static final class Unconvertible extends Exception {
    Unconvertible(String message) {
      super(message, null, false, false);
    }
  }

  private static final Object NULL = new Object();

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private static final ThreadLocal<XMLOutputFactory> XML =
      ThreadLocal.withInitial(XMLOutputFactory::newDefaultFactory);

  private final JsonXmlConfig.RequestSide side;
  private final String attributePrefix;
  private final String textKey;

  JsonToXml(JsonXmlConfig.RequestSide side, String attributePrefix, String textKey) {
    this.side = side;
    this.attributePrefix = attributePrefix;
    this.textKey = textKey;
  }

  /**
   * The XML for the JSON document in {@code body} (read, not kept), in a new buffer the caller
   * owns.
   *
   * @throws IOException when {@code body} is not one JSON document (a {@link JsonParseException}
   *     says where)
   * @throws Unconvertible when a member name is not an XML name, an attribute is not a scalar, or
   *     text holds a character XML cannot carry
   */
  ByteBuf convert(ByteBuf body, ByteBufAllocator alloc) throws IOException, Unconvertible {
    int size = body.readableBytes();
    Object tree;
    try (JsonParser parser = JSON.createParser((InputStream) new ByteBufInputStream(body))) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new JsonParseException(parser, "no JSON value");
      }
      tree = read(parser, first);
      if (parser.nextToken() != null) {
        throw new JsonParseException(parser, "more than one JSON value");
      }
    }
    ByteBuf out = alloc.buffer(Math.max(256, size + size / 2));
    try {
      XMLStreamWriter xml = XML.get().createXMLStreamWriter(new ByteBufOutputStream(out), "UTF-8");
      if (side.declaration()) {
        xml.writeStartDocument("UTF-8", "1.0");
      }
      startElement(xml, side.root(), "the root");
      if (side.namespace() != null) {
        xml.writeDefaultNamespace(side.namespace());
      }
      for (Map.Entry<String, String> ns : side.namespaces().entrySet()) {
        xml.writeNamespace(ns.getKey(), ns.getValue());
      }
      content(xml, tree);
      xml.writeEndElement();
      xml.writeEndDocument();
      xml.flush();
      xml.close();
      return out;
    } catch (XMLStreamException e) {
      out.release();
      throw new IllegalStateException("writing XML to memory", e);
    } catch (Unconvertible | RuntimeException | Error e) {
      out.release();
      throw e;
    }
  }

  /** The value at the parser's current token: a map, a list, {@link #NULL} or scalar text. */
  private static Object read(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        Map<String, Object> members = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          members.put(name, read(parser, parser.nextToken()));
        }
        return members;
      }
      case START_ARRAY -> {
        List<Object> items = new ArrayList<>();
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
          items.add(read(parser, t));
        }
        return items;
      }
      case VALUE_NULL -> {
        return NULL;
      }
      default -> {
        return parser.getText();
      }
    }
  }

  /** An element named {@code name} holding {@code value}. */
  private void element(XMLStreamWriter xml, String name, Object value)
      throws XMLStreamException, Unconvertible {
    if (value == NULL) {
      if (!XmlNames.isQName(name)) {
        throw notAName(name);
      }
      String prefix = XmlNames.prefix(name);
      if (prefix.isEmpty()) {
        xml.writeEmptyElement(name);
      } else {
        xml.writeEmptyElement(prefix, XmlNames.localPart(name), namespace(prefix, name));
      }
      return;
    }
    startElement(xml, name, "member \"" + shorten(name) + '"');
    content(xml, value);
    xml.writeEndElement();
  }

  /** What goes inside an element for {@code value}: attributes and children, items, or text. */
  @SuppressWarnings("unchecked")
  private void content(XMLStreamWriter xml, Object value) throws XMLStreamException, Unconvertible {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> members = (Map<String, Object>) map;
      for (Map.Entry<String, Object> m : members.entrySet()) {
        if (m.getKey().startsWith(attributePrefix)) {
          attribute(xml, m.getKey().substring(attributePrefix.length()), m.getValue());
        }
      }
      for (Map.Entry<String, Object> m : members.entrySet()) {
        String name = m.getKey();
        Object v = m.getValue();
        if (name.startsWith(attributePrefix)) {
          continue;
        }
        if (name.equals(textKey)) {
          if (v instanceof Map || v instanceof List) {
            throw new Unconvertible(
                "member \"" + shorten(textKey) + "\" is not a string, number, boolean or null");
          }
          if (v != NULL) {
            text(xml, (String) v, textKey);
          }
        } else if (v instanceof List<?> items) {
          if (side.arrays() == JsonXmlConfig.Arrays.WRAP) {
            startElement(xml, name, "member \"" + shorten(name) + '"');
            for (Object item : items) {
              element(xml, side.arrayItem(), item);
            }
            xml.writeEndElement();
          } else if (items.isEmpty() && !XmlNames.isQName(name)) {
            throw notAName(name);
          } else {
            for (Object item : items) {
              element(xml, name, item);
            }
          }
        } else {
          element(xml, name, v);
        }
      }
    } else if (value instanceof List<?> items) {
      for (Object item : items) {
        element(xml, side.arrayItem(), item);
      }
    } else if (value != NULL) {
      text(xml, (String) value, null);
    }
  }

  private void attribute(XMLStreamWriter xml, String name, Object value)
      throws XMLStreamException, Unconvertible {
    if (!XmlNames.isQName(name)) {
      throw new Unconvertible(
          "member \"" + shorten(attributePrefix + name) + "\" is not an XML attribute name");
    }
    if (value instanceof Map || value instanceof List) {
      throw new Unconvertible(
          "attribute member \""
              + shorten(attributePrefix + name)
              + "\" is not a string, number, boolean or null");
    }
    if (value == NULL) {
      return;
    }
    String text = (String) value;
    checkText(text, attributePrefix + name);
    String prefix = XmlNames.prefix(name);
    if (prefix.isEmpty()) {
      xml.writeAttribute(name, text);
    } else if (prefix.equals(XMLConstants.XML_NS_PREFIX)) {
      xml.writeAttribute(prefix, XMLConstants.XML_NS_URI, XmlNames.localPart(name), text);
    } else {
      xml.writeAttribute(prefix, namespace(prefix, name), XmlNames.localPart(name), text);
    }
  }

  private void startElement(XMLStreamWriter xml, String name, String what)
      throws XMLStreamException, Unconvertible {
    if (!XmlNames.isQName(name)) {
      throw new Unconvertible(what + " is not an XML element name");
    }
    String prefix = XmlNames.prefix(name);
    if (prefix.isEmpty()) {
      xml.writeStartElement(name);
    } else {
      xml.writeStartElement(prefix, XmlNames.localPart(name), namespace(prefix, name));
    }
  }

  private String namespace(String prefix, String name) throws Unconvertible {
    String uri = side.namespaces().get(prefix);
    if (uri == null) {
      throw new Unconvertible(
          "\""
              + shorten(name)
              + "\" uses the prefix \""
              + shorten(prefix)
              + "\", which the configured namespaces do not declare");
    }
    return uri;
  }

  private static void text(XMLStreamWriter xml, String text, @Nullable String member)
      throws XMLStreamException, Unconvertible {
    checkText(text, member);
    xml.writeCharacters(text);
  }

  private static void checkText(String text, @Nullable String member) throws Unconvertible {
    int at = XmlNames.invalidCharAt(text);
    if (at >= 0) {
      throw new Unconvertible(
          (member == null ? "a value" : "the value of \"" + shorten(member) + '"')
              + " holds the character U+"
              + String.format("%04X", (int) text.charAt(at))
              + ", which XML cannot carry");
    }
  }

  private static Unconvertible notAName(String name) {
    return new Unconvertible("member \"" + shorten(name) + "\" is not an XML element name");
  }

  /** A name from the client's body, cut short for a problem detail. */
  static String shorten(String name) {
    String s = name.length() <= 64 ? name : name.substring(0, 64) + "…";
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == '"' || c == '\\' ? '?' : c);
    }
    return b.toString();
  }
}
