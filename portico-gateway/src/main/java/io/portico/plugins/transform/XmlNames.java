package io.portico.plugins.transform;

/**
 * The XML 1.0 (fifth edition) rules {@code json-xml} checks names and text against: an element or
 * attribute name is an NCName, optionally behind a prefix ({@code p:name}); text may hold only the
 * characters XML can carry.
 */
final class XmlNames {

  private XmlNames() {}

  /** Whether {@code name} is an NCName: an XML name without a colon. */
  static boolean isNcName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); ) {
      int c = name.codePointAt(i);
      if (c == ':' || !(i == 0 ? isNameStart(c) : isNameChar(c))) {
        return false;
      }
      i += Character.charCount(c);
    }
    return true;
  }

  /** Whether {@code name} is a qualified name: an NCName, or two joined by one colon. */
  static boolean isQName(String name) {
    int colon = name.indexOf(':');
    return colon < 0
        ? isNcName(name)
        : isNcName(name.substring(0, colon)) && isNcName(name.substring(colon + 1));
  }

  /** The prefix of a qualified name, or the empty string. */
  static String prefix(String qname) {
    int colon = qname.indexOf(':');
    return colon < 0 ? "" : qname.substring(0, colon);
  }

  /** The local part of a qualified name. */
  static String localPart(String qname) {
    return qname.substring(qname.indexOf(':') + 1);
  }

  /** Whether {@code c} may start an XML name. */
  static boolean isNameStart(int c) {
    return c == ':'
        || (c >= 'A' && c <= 'Z')
        || c == '_'
        || (c >= 'a' && c <= 'z')
        || (c >= 0xC0 && c <= 0xD6)
        || (c >= 0xD8 && c <= 0xF6)
        || (c >= 0xF8 && c <= 0x2FF)
        || (c >= 0x370 && c <= 0x37D)
        || (c >= 0x37F && c <= 0x1FFF)
        || (c >= 0x200C && c <= 0x200D)
        || (c >= 0x2070 && c <= 0x218F)
        || (c >= 0x2C00 && c <= 0x2FEF)
        || (c >= 0x3001 && c <= 0xD7FF)
        || (c >= 0xF900 && c <= 0xFDCF)
        || (c >= 0xFDF0 && c <= 0xFFFD)
        || (c >= 0x10000 && c <= 0xEFFFF);
  }

  private static boolean isNameChar(int c) {
    return isNameStart(c)
        || c == '-'
        || c == '.'
        || (c >= '0' && c <= '9')
        || c == 0xB7
        || (c >= 0x300 && c <= 0x36F)
        || (c >= 0x203F && c <= 0x2040);
  }

  /**
   * The index of the first character of {@code text} that XML 1.0 cannot carry (a control character
   * other than tab, line feed and carriage return, U+FFFE, U+FFFF, or a lone surrogate), or -1 when
   * there is none.
   */
  static int invalidCharAt(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c < 0xD800) {
        continue;
      }
      if (c == '\t' || c == '\n' || c == '\r') {
        continue;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
        continue;
      }
      if (c >= 0xE000 && c <= 0xFFFD) {
        continue;
      }
      return i;
    }
    return -1;
  }
}
