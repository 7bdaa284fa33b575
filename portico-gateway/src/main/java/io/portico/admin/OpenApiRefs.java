package io.portico.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code $ref}s of a portal OpenAPI document that point outside it: to another file ({@code
 * common.yaml#/components/schemas/Error}) or a URL ({@code https://example.com/x.json}). Swagger UI
 * fetches each of them from the browser, relative ones against the document's own URL on the
 * portal, so a document that names one would make the viewer load text from wherever it points. The
 * portal keeps one self-contained document per API, as Backstage's catalogue does once it has
 * bundled a definition: a document with external references is refused when it is published ({@link
 * #external}), listing the JSON Pointer of each, so the operator bundles it first (for instance
 * with {@code redocly bundle} or {@code swagger-cli bundle}). A document kept before that check
 * existed is served with each external reference replaced by a note ({@link #detach}), so the
 * viewer shows what is missing instead of fetching it.
 *
 * <p>Only members named {@code $ref} whose value is a string count: a schema property named {@code
 * $ref} has an object as its value. A reference starting with {@code #} stays inside the document.
 * Stateless; called off the event loop.
 */
final class OpenApiRefs {

  /** The member a detached reference keeps its text in, for anyone reading the served JSON. */
  static final String DETACHED = "x-portico-external-ref";

  private OpenApiRefs() {}

  /**
   * An external reference.
   *
   * @param pointer the JSON Pointer (RFC 6901) of its {@code $ref} member
   * @param ref the reference as written
   */
  record External(String pointer, String ref) {

    /** As a problem line names it: {@code /paths/~1pets/get/$ref: "common.yaml#/x"}. */
    @Override
    public String toString() {
      return pointer + ": \"" + ref + "\"";
    }
  }

  /** Every external reference of {@code doc}, in document order. */
  static List<External> external(JsonNode doc) {
    List<External> found = new ArrayList<>();
    walk(doc, "", found);
    return found;
  }

  /**
   * Replaces each external reference of {@code doc} with a description that says it was not
   * followed, and the reference under {@link #DETACHED}.
   *
   * @return how many were replaced
   */
  static int detach(JsonNode doc) {
    int n = 0;
    if (doc instanceof ObjectNode o) {
      JsonNode ref = o.get("$ref");
      if (ref != null && ref.isTextual() && isExternal(ref.asText())) {
        o.remove("$ref");
        o.put(DETACHED, ref.asText());
        o.put(
            "description",
            "Not shown: this part of the document is an external reference ("
                + ref.asText()
                + "), and the portal serves one self-contained document. Ask the API's publisher"
                + " for a bundled document.");
        n++;
      }
      for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
        n += detach(it.next());
      }
    } else if (doc.isArray()) {
      for (JsonNode item : doc) {
        n += detach(item);
      }
    }
    return n;
  }

  /** Whether {@code ref} leaves the document: anything but a fragment of the document itself. */
  static boolean isExternal(String ref) {
    return !ref.startsWith("#");
  }

  private static void walk(JsonNode node, String pointer, List<External> found) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String at = pointer + "/" + escape(e.getKey());
        JsonNode value = e.getValue();
        if (e.getKey().equals("$ref") && value.isTextual() && isExternal(value.asText())) {
          found.add(new External(at, value.asText()));
        } else {
          walk(value, at, found);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), pointer + "/" + i, found);
      }
    }
  }

  /** A member name as a JSON Pointer reference token: {@code ~} as {@code ~0}, {@code /} as ~1. */
  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
