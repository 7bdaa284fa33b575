package io.portico.plugins.transform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.portico.spi.plugin.BodyTransform;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.jspecify.annotations.Nullable;

/**
 * An XML document into JSON, as {@code json-xml}'s response side is configured.
 *
 * <pre>
 *   &lt;order id="7"&gt;&lt;item&gt;a&lt;/item&gt;&lt;item&gt;b&lt;/item&gt;&lt;price cur="EUR"&gt;9.5&lt;/price&gt;&lt;note/&gt;&lt;/order&gt;
 *   ─▶ {"@id": "7", "item": ["a", "b"], "price": {"@cur": "EUR", "#text": "9.5"}, "note": ""}
 * </pre>
 *
 * <p>Read with the JDK's own StAX parser ({@link XMLInputFactory#newDefaultFactory()}, never a
 * provider found on the class path), configured so that nothing outside the document is read and
 * nothing is expanded: DTDs are not supported and a document that declares one is refused outright
 * (so no external entity, and no entity expansion such as the "billion laughs"), external entities
 * and external DTD or schema access are off. An entity reference other than the five predefined
 * ones and character references is an error. Elements nest at most {@value #MAX_DEPTH} deep.
 *
 * <p>An element with neither attributes nor child elements becomes its text (a string, or with
 * {@code infer-types} a number, boolean or, when empty, null); any other an object of its
 * attributes ({@code @name}), its children by name (a name that repeats, or is listed in {@code
 * force-arrays}, becomes an array, in document order) and its text ({@code #text}, when not only
 * white space). Comments and processing instructions are dropped, CDATA is text. Names keep their
 * namespace prefix or lose it, as configured.
 *
 * <p>Immutable and thread-safe; the StAX factory is per thread. Problems with the upstream's body
 * are thrown as {@link BodyTransform.InvalidBody}, whose message names the problem and where it is
 * without quoting the body.
 */
final class XmlToJson {

  /** How deep elements may nest. */
  static final int MAX_DEPTH = 256;

  private static final int MAX_REASON = 200;
  private static final Pattern NUMBER =
      Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

  private static final JsonFactory JSON = new JsonFactory();

  private static final ThreadLocal<XMLInputFactory> XML = ThreadLocal.withInitial(XmlToJson::safe);

  /** A JSON number, as its text. */
  private record Num(String text) {}

  /** An element being read: its members (attributes and children) and its text. */
  private static final class Element {
    final String name;
    @Nullable Map<String, Object> members;
    @Nullable StringBuilder text;
    boolean children;

    Element(String name) {
      this.name = name;
    }

    Map<String, Object> members() {
      if (members == null) {
        members = new LinkedHashMap<>();
      }
      return members;
    }
  }

  private final JsonXmlConfig.ResponseSide side;
  private final String attributePrefix;
  private final String textKey;

  XmlToJson(JsonXmlConfig.ResponseSide side, String attributePrefix, String textKey) {
    this.side = side;
    this.attributePrefix = attributePrefix;
    this.textKey = textKey;
  }

  /** The JDK's StAX parser with DTDs, external entities and external access off. */
  static XMLInputFactory safe() {
    XMLInputFactory f = XMLInputFactory.newDefaultFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    f.setProperty(XMLInputFactory.IS_COALESCING, true);
    f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    f.setXMLResolver(
        (publicId, systemId, baseUri, namespace) -> {
          throw new XMLStreamException("external resources are not read");
        });
    return f;
  }

  /**
   * The JSON for the XML document in {@code body} (read, not kept), in a new buffer the caller
   * owns; an empty body gives an empty buffer.
   *
   * @param charset the charset of the response's {@code Content-Type}, or null to let the document
   *     say (its declaration or byte order mark; UTF-8 by default)
   * @throws BodyTransform.InvalidBody when the body is not a well-formed XML document, declares a
   *     DTD or nests too deep
   */
  ByteBuf convert(ByteBuf body, @Nullable Charset charset, ByteBufAllocator alloc) {
    if (!body.isReadable()) {
      return alloc.buffer(0);
    }
    @Nullable Object root;
    String rootName;
    XMLStreamReader reader = null;
    try {
      InputStream in = new ByteBufInputStream(body);
      reader =
          charset == null
              ? XML.get().createXMLStreamReader(in)
              : XML.get().createXMLStreamReader(in, charset.name());
      Element[] top = new Element[1];
      root = read(reader, top);
      rootName = top[0].name;
    } catch (XMLStreamException e) {
      throw malformed(e);
    } finally {
      if (reader != null) {
        try {
          reader.close();
        } catch (XMLStreamException e) {
          // nothing is held beyond the body, which the gateway owns
        }
      }
    }
    ByteBuf out = alloc.buffer(Math.max(256, body.readableBytes()));
    try (JsonGenerator json = JSON.createGenerator((OutputStream) new ByteBufOutputStream(out))) {
      if (side.keepRoot()) {
        json.writeStartObject();
        json.writeFieldName(rootName);
        write(json, root);
        json.writeEndObject();
      } else {
        write(json, root);
      }
    } catch (IOException e) {
      out.release();
      throw new UncheckedIOException("writing JSON to memory", e);
    } catch (RuntimeException | Error e) {
      out.release();
      throw e;
    }
    return out;
  }

  /** Reads the document; returns the root element's value and puts the root in {@code top[0]}. */
  private @Nullable Object read(XMLStreamReader reader, Element[] top) throws XMLStreamException {
    ArrayDeque<Element> open = new ArrayDeque<>();
    Object rootValue = null;
    while (reader.hasNext()) {
      switch (reader.next()) {
        case XMLStreamConstants.DTD ->
            throw new BodyTransform.InvalidBody(
                "The upstream's XML body declares a document type (DOCTYPE), which is refused:"
                    + " DTDs and entities are never processed.");
        case XMLStreamConstants.START_ELEMENT -> {
          if (open.size() >= MAX_DEPTH) {
            throw new BodyTransform.InvalidBody(
                "The upstream's XML body nests elements more than "
                    + MAX_DEPTH
                    + " deep"
                    + at(reader.getLocation())
                    + ".");
          }
          Element parent = open.peek();
          if (parent != null) {
            parent.children = true;
          }
          Element e = new Element(name(reader.getPrefix(), reader.getLocalName()));
          for (int i = 0; i < reader.getAttributeCount(); i++) {
            String key =
                attributePrefix
                    + name(reader.getAttributePrefix(i), reader.getAttributeLocalName(i));
            e.members().put(key, scalar(reader.getAttributeValue(i)));
          }
          open.push(e);
          if (top[0] == null) {
            top[0] = e;
          }
        }
        case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
          Element e = open.peek();
          if (e != null) {
            if (e.text == null) {
              e.text = new StringBuilder(reader.getTextLength());
            }
            e.text.append(
                reader.getTextCharacters(), reader.getTextStart(), reader.getTextLength());
          }
        }
        case XMLStreamConstants.END_ELEMENT -> {
          Element e = open.pop();
          Object value = value(e);
          Element parent = open.peek();
          if (parent == null) {
            rootValue = value;
          } else {
            add(parent.members(), e.name, value);
          }
        }
        default -> {
          // comments, processing instructions, the document's start and end: nothing to keep
        }
      }
    }
    if (top[0] == null) {
      throw new BodyTransform.InvalidBody("The upstream's XML body has no root element.");
    }
    return rootValue;
  }

  /** An element's JSON value, once it has ended. */
  private @Nullable Object value(Element e) {
    if (e.members == null) {
      return scalar(e.text == null ? "" : e.text.toString());
    }
    if (e.text != null) {
      String text = e.children ? e.text.toString().strip() : e.text.toString();
      if (!text.isBlank()) {
        e.members.put(textKey, scalar(text));
      }
    }
    return e.members;
  }

  /** Adds a child's value under its name: a second one turns the member into an array. */
  @SuppressWarnings("unchecked")
  private void add(Map<String, Object> members, String name, @Nullable Object value) {
    Object existing = members.get(name);
    if (existing instanceof Items) {
      ((List<Object>) existing).add(value);
    } else if (existing != null || members.containsKey(name)) {
      Items items = new Items();
      items.add(existing);
      items.add(value);
      members.put(name, items);
    } else if (side.forceArrays().contains(name)) {
      Items items = new Items();
      items.add(value);
      members.put(name, items);
    } else {
      members.put(name, value);
    }
  }

  /** The values of a repeated element. */
  private static final class Items extends ArrayList<Object> {}

  private String name(@Nullable String prefix, String localName) {
    return side.keepPrefixes() && prefix != null && !prefix.isEmpty()
        ? prefix + ':' + localName
        : localName;
  }

  /** Text as a JSON value: a string, or with {@code infer-types} a number, boolean or null. */
  private @Nullable Object scalar(String text) {
    if (!side.inferTypes()) {
      return text;
    }
    String t = text.strip();
    if (t.isEmpty()) {
      return null;
    }
    if (t.equals("true")) {
      return Boolean.TRUE;
    }
    if (t.equals("false")) {
      return Boolean.FALSE;
    }
    if (t.length() <= 64 && NUMBER.matcher(t).matches()) {
      return new Num(t);
    }
    return text;
  }

  @SuppressWarnings("unchecked")
  private static void write(JsonGenerator json, @Nullable Object value) throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof String s) {
      json.writeString(s);
    } else if (value instanceof Num n) {
      json.writeNumber(n.text());
    } else if (value instanceof Boolean b) {
      json.writeBoolean(b);
    } else if (value instanceof Items items) {
      json.writeStartArray();
      for (Object item : items) {
        write(json, item);
      }
      json.writeEndArray();
    } else {
      json.writeStartObject();
      for (Map.Entry<String, Object> m : ((Map<String, Object>) value).entrySet()) {
        json.writeFieldName(m.getKey());
        write(json, m.getValue());
      }
      json.writeEndObject();
    }
  }

  /** 502's detail for a document the parser refused: where, and the parser's reason. */
  private static BodyTransform.InvalidBody malformed(XMLStreamException e) {
    String reason = e.getMessage() == null ? "" : e.getMessage();
    int message = reason.indexOf("Message: ");
    if (message >= 0) {
      reason = reason.substring(message + "Message: ".length());
    }
    int newline = reason.indexOf('\n');
    reason = (newline < 0 ? reason : reason.substring(0, newline)).strip();
    if (reason.length() > MAX_REASON) {
      reason = reason.substring(0, MAX_REASON) + "…";
    }
    if (reason.endsWith(".")) {
      reason = reason.substring(0, reason.length() - 1);
    }
    return new BodyTransform.InvalidBody(
        "The upstream's XML body is malformed"
            + at(e.getLocation())
            + (reason.isEmpty() ? "" : ": " + reason)
            + ".");
  }

  private static String at(@Nullable Location location) {
    if (location == null || location.getLineNumber() < 0) {
      return "";
    }
    return " at line " + location.getLineNumber() + ", column " + location.getColumnNumber();
  }
}
