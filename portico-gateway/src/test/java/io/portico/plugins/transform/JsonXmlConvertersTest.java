package io.portico.plugins.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.portico.spi.plugin.BodyTransform;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The two converters of {@code json-xml} in memory: the cases the end-to-end test leaves out. */
class JsonXmlConvertersTest {

  private static final JsonXmlConfig.RequestSide PLAIN = side(Map.of());
  private static final JsonXmlConfig.RequestSide PREFIXED = side(Map.of("p", "urn:p"));

  private static JsonXmlConfig.RequestSide side(Map<String, String> namespaces) {
    return new JsonXmlConfig.RequestSide(
        "root",
        null,
        namespaces,
        JsonXmlConfig.Arrays.REPEAT,
        "item",
        List.of("application/json"),
        "application/xml",
        false,
        1 << 20);
  }

  private static final JsonXmlConfig.ResponseSide STRINGS =
      new JsonXmlConfig.ResponseSide(List.of("+xml"), false, false, false, Set.of(), 1 << 20);
  private static final JsonXmlConfig.ResponseSide TYPED =
      new JsonXmlConfig.ResponseSide(List.of("+xml"), true, false, true, Set.of(), 1 << 20);

  private static String toXml(String json) throws Exception {
    return toXml(PLAIN, json);
  }

  private static String toXml(JsonXmlConfig.RequestSide side, String json) throws Exception {
    ByteBuf in = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
    try {
      ByteBuf out = new JsonToXml(side, "@", "#text").convert(in, ByteBufAllocator.DEFAULT);
      try {
        return out.toString(StandardCharsets.UTF_8);
      } finally {
        out.release();
      }
    } finally {
      in.release();
    }
  }

  private static String toJson(JsonXmlConfig.ResponseSide side, byte[] xml, @Nullable Charset cs) {
    ByteBuf in = Unpooled.wrappedBuffer(xml);
    try {
      ByteBuf out = new XmlToJson(side, "@", "#text").convert(in, cs, ByteBufAllocator.DEFAULT);
      try {
        return out.toString(StandardCharsets.UTF_8);
      } finally {
        out.release();
      }
    } finally {
      in.release();
    }
  }

  private static String toJson(JsonXmlConfig.ResponseSide side, String xml) {
    return toJson(side, xml.getBytes(StandardCharsets.UTF_8), null);
  }

  @Test
  void writesAttributesBeforeChildrenWhereverTheyStandAndTextWhereItStands() throws Exception {
    assertThat(toXml("{\"a\": {\"b\": 1, \"#text\": \"t\", \"@x\": \"1\", \"@xml:lang\": \"en\"}}"))
        .isEqualTo("<root><a x=\"1\" xml:lang=\"en\"><b>1</b>t</a></root>");
    assertThat(toXml(PREFIXED, "{\"@p:kind\": \"k\", \"@skip\": null, \"p:v\": null}"))
        .isEqualTo("<root xmlns:p=\"urn:p\" p:kind=\"k\"><p:v/></root>");
  }

  @Test
  void keepsScalarsAsTheyAreWritten() throws Exception {
    assertThat(toXml("{\"n\": 1.50e3, \"b\": false, \"s\": \"\\ud83d\\ude00 \\\"q\\\"\"}"))
        .isEqualTo("<root><n>1.50e3</n><b>false</b><s>\ud83d\ude00 \"q\"</s></root>");
    assertThat(toXml("\"top\"")).isEqualTo("<root>top</root>");
    assertThat(toXml("null")).isEqualTo("<root></root>");
    assertThat(toXml("{\"a\": \"x\\\"<&>\"}")).contains("x\"&lt;&amp;&gt;");
    assertThat(toXml("{\"@a\": \"x\\\"<&\"}")).isEqualTo("<root a=\"x&quot;&lt;&amp;\"></root>");
  }

  @Test
  void refusesWhatXmlCannotCarry() {
    assertThatThrownBy(() -> toXml("{\"a\": \"\\ud800\"}"))
        .isInstanceOf(JsonToXml.Unconvertible.class)
        .hasMessageContaining("U+D800");
    assertThatThrownBy(() -> toXml("{\"#text\": [1]}"))
        .isInstanceOf(JsonToXml.Unconvertible.class)
        .hasMessageContaining("#text");
    assertThatThrownBy(() -> toXml("{\"\": 1}"))
        .isInstanceOf(JsonToXml.Unconvertible.class)
        .hasMessageContaining("is not an XML element name");
    assertThatThrownBy(() -> toXml("{\"a b\": []}")).isInstanceOf(JsonToXml.Unconvertible.class);
    assertThatThrownBy(() -> toXml("{\"x:a\": 1}"))
        .isInstanceOf(JsonToXml.Unconvertible.class)
        .hasMessageContaining("prefix \"x\"");
  }

  @Test
  void refusesJsonNestedBeyondTheParsersDepthAsMalformed() {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    assertThatThrownBy(() -> toXml(deep)).isInstanceOf(JsonProcessingException.class);
    assertThatThrownBy(() -> toXml("")).isInstanceOf(JsonProcessingException.class);
  }

  @Test
  void makesArraysOfRepeatsEvenWhenOtherElementsComeBetween() {
    assertThat(toJson(STRINGS, "<r><a>1</a><b>x</b><a>2</a><a/></r>"))
        .isEqualTo("{\"a\":[\"1\",\"2\",\"\"],\"b\":\"x\"}");
  }

  @Test
  void keepsTheTextOfMixedContentAndDropsCommentsAndInstructions() {
    assertThat(toJson(STRINGS, "<r>\n  one <b>x</b> two <!-- c --><?pi x?>\n</r>"))
        .isEqualTo("{\"b\":\"x\",\"#text\":\"one  two\"}");
    assertThat(toJson(STRINGS, "<r a=\"1\">  </r>")).isEqualTo("{\"@a\":\"1\"}");
    assertThat(toJson(STRINGS, "<r> padded </r>")).isEqualTo("\" padded \"");
  }

  @Test
  void infersOnlyWhatReadsAsJsonNumbersAndBooleans() {
    assertThat(
            toJson(
                TYPED,
                "<r><a>007</a><b>-1.5E3</b><c>TRUE</c><d> 12 </d><e>1.</e><f/><g>false</g></r>"))
        .isEqualTo(
            "{\"a\":\"007\",\"b\":-1.5E3,\"c\":\"TRUE\",\"d\":12,\"e\":\"1.\",\"f\":null,\"g\":false}");
  }

  @Test
  void keepsPrefixesOfElementsAndAttributesWhenAsked() {
    String doc = "<p:r xmlns:p=\"urn:p\" xmlns:q=\"urn:q\"><q:a q:x=\"1\">t</q:a></p:r>";
    assertThat(toJson(TYPED, doc)).isEqualTo("{\"q:a\":{\"@q:x\":1,\"#text\":\"t\"}}");
    assertThat(toJson(STRINGS, doc)).isEqualTo("{\"a\":{\"@x\":\"1\",\"#text\":\"t\"}}");
  }

  @Test
  void readsTheCharsetTheDocumentDeclaresOrTheContentTypeNames() {
    byte[] declared =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>\u00e9</r>"
            .getBytes(StandardCharsets.ISO_8859_1);
    assertThat(toJson(STRINGS, declared, null)).isEqualTo("\"\u00e9\"");
    byte[] utf16 = "<r>\u20ac</r>".getBytes(StandardCharsets.UTF_16);
    assertThat(toJson(STRINGS, utf16, null)).isEqualTo("\"\u20ac\"");
  }

  @Test
  void refusesTextAfterTheRootAndASecondRoot() {
    assertThatThrownBy(() -> toJson(STRINGS, "<a/><b/>"))
        .isInstanceOf(BodyTransform.InvalidBody.class)
        .hasMessageContaining("malformed");
    assertThatThrownBy(() -> toJson(STRINGS, "<a/>text"))
        .isInstanceOf(BodyTransform.InvalidBody.class);
  }

  @Test
  void refusesAnInternalSubsetEvenWithoutEntities() {
    assertThatThrownBy(() -> toJson(STRINGS, "<!DOCTYPE r [<!ELEMENT r ANY>]><r/>"))
        .isInstanceOf(BodyTransform.InvalidBody.class)
        .hasMessageContaining("DOCTYPE");
  }

  @Test
  void readsNoExternalResourceWhateverTheDocumentAsks() {
    String xinclude =
        "<r xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"file:///etc/passwd\""
            + " parse=\"text\"/></r>";
    assertThat(toJson(STRINGS, xinclude))
        .isEqualTo("{\"include\":{\"@href\":\"file:///etc/passwd\",\"@parse\":\"text\"}}");
    String schema =
        "<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
            + " xsi:schemaLocation=\"urn:x http://127.0.0.1:1/x.xsd\">1</r>";
    assertThat(toJson(STRINGS, schema)).startsWith("{\"@schemaLocation\"");
  }

  @Test
  void anEmptyBodyStaysEmpty() {
    assertThat(toJson(STRINGS, "")).isEmpty();
  }
}
