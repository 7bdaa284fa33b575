package io.portico.plugins.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pieces of request-transformer that need no exchange: pointers, query text, forms. */
class RequestTransformerPartsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void writesCreatingObjectsOnTheWayAndAppendsToArrays() throws Exception {
    JsonNode root = json("{\"items\":[1,2]}");

    RequestTransformerPointers.write(
        root, JsonPointer.compile("/a/b/c"), TextNode.valueOf("x"), false);
    RequestTransformerPointers.write(
        root, JsonPointer.compile("/items/-"), TextNode.valueOf("y"), false);
    RequestTransformerPointers.write(
        root, JsonPointer.compile("/items/0"), TextNode.valueOf("z"), false);
    RequestTransformerPointers.write(
        root, JsonPointer.compile("/items/1"), TextNode.valueOf("no"), true);
    RequestTransformerPointers.write(
        root, JsonPointer.compile("/a~1b"), TextNode.valueOf("s"), false);

    assertThat(root)
        .isEqualTo(json("{\"items\":[\"z\",2,\"y\"],\"a\":{\"b\":{\"c\":\"x\"}},\"a/b\":\"s\"}"));
  }

  @Test
  void refusesIndexesPastTheEndOfAnArray() throws Exception {
    JsonNode root = json("{\"items\":[1]}");

    assertThatThrownBy(
            () ->
                RequestTransformerPointers.write(
                    root, JsonPointer.compile("/items/5"), TextNode.valueOf("x"), false))
        .isInstanceOf(RequestTransformerPointers.Unwritable.class)
        .hasMessage("/items/5: index 5 is past the end of an array of 1");
  }

  @Test
  void removesMembersAndItemsAndIgnoresWhatIsNotThere() throws Exception {
    JsonNode root = json("{\"a\":{\"b\":1},\"l\":[1,2,3]}");

    assertThat(RequestTransformerPointers.remove(root, JsonPointer.compile("/a/b")))
        .hasToString("1");
    assertThat(RequestTransformerPointers.remove(root, JsonPointer.compile("/l/1")))
        .hasToString("2");
    assertThat(RequestTransformerPointers.remove(root, JsonPointer.compile("/x/y"))).isNull();

    assertThat(root).isEqualTo(json("{\"a\":{},\"l\":[1,3]}"));
  }

  @Test
  void editsTheQueryKeepingUntouchedParametersAsWritten() {
    RequestTransformerQuery query =
        new RequestTransformerQuery(
            Set.of("drop"),
            List.of(new RequestTransformerQuery.Rename("old name", "new%20name")),
            List.of(),
            List.of());

    assertThat(query.apply("a=%41%42&drop=1&old+name=v&flag&drop=2", new String[0]))
        .isEqualTo("a=%41%42&new%20name=v&flag");
    assertThat(query.apply(null, new String[0])).isEmpty();
  }

  @Test
  void readsAndWritesForms() throws Exception {
    ObjectNode form = RequestTransformerForms.toJson("a=1&b=x+y&b=%C3%A9&c=");

    assertThat(form).isEqualTo(json("{\"a\":\"1\",\"b\":[\"x y\",\"é\"],\"c\":\"\"}"));
    form.set("o", json("{\"k\":true}"));
    form.putNull("n");
    assertThat(RequestTransformerForms.toForm(form))
        .isEqualTo("a=1&b=x%20y&b=%C3%A9&c=&o=%7B%22k%22%3Atrue%7D");
  }
}
