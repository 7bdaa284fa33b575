package io.portico.plugins.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streamed JSON edit: what it keeps is copied as it came. */
class ResponseTransformerJsonTest {

  private static String rewrite(ResponseTransformerJson json, String in) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    json.rewrite(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static ResponseTransformerJson denying(String... paths) {
    ResponseTransformerJson.Node root = new ResponseTransformerJson.Node();
    for (String path : paths) {
      ResponseTransformerJson.at(root, ResponseTransformerJson.segments(path)).deny = true;
    }
    return new ResponseTransformerJson(root, null, null);
  }

  @Test
  void keepsNumbersWithTheirExactText() throws Exception {
    String numbers =
        "[1.50,1e2,-0,1E+2,0.1000000000000000055511151231257827,"
            + "123456789012345678901234567890,-12.0e-3,7]";
    String in =
        "{\"drop\":1,\"kept\":"
            + numbers
            + ",\"items\":[{\"price\":2.50,\"drop\":0,\"n\":{\"deep\":3.0}}],\"x\":9.10}";

    String out = rewrite(denying("drop", "items[*].drop"), in);

    assertThat(out)
        .isEqualTo(
            "{\"kept\":"
                + numbers
                + ",\"items\":[{\"price\":2.50,\"n\":{\"deep\":3.0}}],\"x\":9.10}");
  }

  @Test
  void copiesStringsLiteralsAndNestingUnchanged() throws Exception {
    String kept =
        "{\"s\":\"a \\\"q\\\" \\\\ \\n \\u0001 é €\",\"t\":true,\"f\":false,\"z\":null,"
            + "\"a\":[[],{},[{\"k\":[1,{\"m\":\"v\"}]}]],\"e\":\"\"}";
    String in = "{ \"secret\" : {\"a\":[1,2]} , \"keep\" : " + kept + " }";

    String out = rewrite(denying("secret"), in);

    assertThat(out).isEqualTo("{\"keep\":" + kept + "}");
  }

  @Test
  void copiesAScalarDocumentAndARootArray() throws Exception {
    assertThat(rewrite(denying("x"), " 12.50 ")).isEqualTo("12.50");
    assertThat(rewrite(denying("x"), "\"text\"")).isEqualTo("\"text\"");
    assertThat(rewrite(denying("[*].x"), "[{\"x\":1,\"y\":2.0},3.25]"))
        .isEqualTo("[{\"y\":2.0},3.25]");
  }

  @Test
  void segmentsStayAsBefore() {
    assertThat(ResponseTransformerJson.segments("items[*].price"))
        .isEqualTo(List.of("items", "[*]", "price"));
  }
}
