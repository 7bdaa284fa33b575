package io.portico.accounts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config store's document {@code accounts}: {@code format} 1 and the accounts in the order
 * created, each with its role, bcrypt hash, times, and its API tokens' ids, names, SHA-256 digests
 * and times. Never a session, a token or the setup link. Stateless.
 */
final class AccountsDocument {

  /** The document's name in the store. */
  static final String NAME = "accounts";

  private static final ObjectMapper JSON = new ObjectMapper();

  private AccountsDocument() {}

  static byte[] write(Collection<Account> accounts) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", 1);
    ArrayNode list = root.putArray("accounts");
    for (Account a : accounts) {
      ObjectNode o = list.addObject();
      o.put("name", a.name());
      o.put("role", a.role().text());
      o.put("password", a.passwordHash());
      o.put("created", a.created().toString());
      o.put("password_changed", a.passwordChanged().toString());
      ArrayNode tokens = o.putArray("tokens");
      for (ApiToken t : a.tokens()) {
        ObjectNode tn = tokens.addObject();
        tn.put("id", t.id());
        tn.put("name", t.name());
        tn.put("sha256", t.digest());
        tn.put("created", t.created().toString());
      }
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
  }

  /**
   * The accounts of a document, by name in the order created.
   *
   * @throws IOException when it is not an accounts document of this version
   */
  static Map<String, Account> read(byte[] document) throws IOException {
    JsonNode root = JSON.readTree(document);
    if (root == null || root.path("format").asInt() != 1 || !root.path("accounts").isArray()) {
      throw new IOException("accounts.json: not an accounts document of this version");
    }
    Map<String, Account> read = new LinkedHashMap<>();
    for (JsonNode o : root.get("accounts")) {
      Role role = Role.of(o.path("role").asText());
      if (role == null) {
        throw new IOException("accounts.json: " + o.path("name") + ": unknown role");
      }
      List<ApiToken> tokens = new ArrayList<>();
      for (JsonNode t : o.path("tokens")) {
        tokens.add(
            new ApiToken(
                t.path("id").asText(),
                t.path("name").asText(),
                t.path("sha256").asText(),
                Instant.parse(t.path("created").asText())));
      }
      Account a =
          new Account(
              o.path("name").asText(),
              role,
              o.path("password").asText(),
              Instant.parse(o.path("created").asText()),
              Instant.parse(o.path("password_changed").asText()),
              tokens);
      read.put(a.name(), a);
    }
    return read;
  }
}
