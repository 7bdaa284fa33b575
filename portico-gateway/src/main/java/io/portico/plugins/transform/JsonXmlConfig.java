package io.portico.plugins.transform;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The compiled config of {@code json-xml}: either direction, or both.
 *
 * @param attributePrefix the prefix of the JSON members that are XML attributes ({@code @})
 * @param textKey the JSON member that holds an element's text beside attributes or children
 * @param request the JSON to XML conversion of request bodies, or null when off
 * @param response the XML to JSON conversion of response bodies, or null when off
 */
record JsonXmlConfig(
    String attributePrefix,
    String textKey,
    @Nullable RequestSide request,
    @Nullable ResponseSide response) {

  /** How a JSON array that is a member's value becomes XML. */
  enum Arrays {
    /** One element per item, each named after the member. */
    REPEAT,
    /** One element named after the member, holding one item element per item. */
    WRAP
  }

  /**
   * The request direction, JSON to XML.
   *
   * @param root the root element's name (may carry a declared prefix)
   * @param namespace the default namespace declared on the root, or null for none
   * @param namespaces prefixes declared on the root, prefix to URI, in order
   * @param arrays how member arrays are written
   * @param arrayItem the element name of an array's items (nested and top-level arrays, and members
   *     under {@code wrap})
   * @param contentTypes the request media types converted (lower case; {@code +suffix} matches a
   *     suffix)
   * @param contentType the {@code Content-Type} sent upstream with the XML
   * @param declaration whether the XML starts with an XML declaration
   * @param maxSize the largest JSON body converted; over it the gateway answers 413
   */
  record RequestSide(
      String root,
      @Nullable String namespace,
      Map<String, String> namespaces,
      Arrays arrays,
      String arrayItem,
      List<String> contentTypes,
      String contentType,
      boolean declaration,
      long maxSize) {}

  /**
   * The response direction, XML to JSON.
   *
   * @param contentTypes the response media types converted (lower case; {@code +suffix} matches a
   *     suffix)
   * @param keepPrefixes whether names keep their namespace prefix ({@code p:name}); else the local
   *     name alone
   * @param keepRoot whether the JSON is an object with the root element as its one member; else the
   *     root's content
   * @param inferTypes whether text that reads as a JSON number or boolean becomes one (and an empty
   *     element null); else every value is a string
   * @param forceArrays element names always written as arrays, even when they occur once
   * @param maxSize the largest XML body converted; over it the gateway answers 502
   */
  record ResponseSide(
      List<String> contentTypes,
      boolean keepPrefixes,
      boolean keepRoot,
      boolean inferTypes,
      Set<String> forceArrays,
      int maxSize) {}

  /** The media type of a {@code Content-Type} value, lower case, without parameters. */
  static @Nullable String mediaType(@Nullable String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  /** Whether {@code type} is one of {@code accepted} (a {@code +suffix} entry matches a suffix). */
  static boolean matches(List<String> accepted, @Nullable String type) {
    if (type == null) {
      return false;
    }
    for (String a : accepted) {
      if (a.startsWith("+") ? type.endsWith(a) : type.equals(a)) {
        return true;
      }
    }
    return false;
  }
}
