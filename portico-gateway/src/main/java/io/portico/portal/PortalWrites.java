package io.portico.portal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portico.accounts.Refusal;
import io.portico.config.PortalConfig;
import io.portico.portal.PortalData.Application;
import io.portico.portal.PortalData.Document;
import io.portico.portal.PortalData.Key;
import io.portico.portal.PortalData.Plan;
import io.portico.portal.PortalData.Subscription;
import io.portico.spi.config.ConfigNode;
import io.portico.store.Change;
import io.portico.store.ObjectJson;
import io.portico.store.ObjectKey;
import io.portico.store.ObjectKind;
import io.portico.store.ObjectWrite;
import io.portico.store.Precondition;
import io.portico.store.WriteResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The admin writes that make the gateway's objects follow the portal's document: the plugins of
 * published routes (their plans' groups, rates and quotas) and the consumers of applications with
 * keys. See {@link Portal} for what each must carry.
 *
 * <p>{@link Portal} calls it under its own lock with the document a change would make, before it
 * saves that document: a refused write leaves both the gateway and the document as they were. It
 * holds no state of its own beyond the portal's config, and reads the gateway's objects afresh on
 * every call.
 */
final class PortalWrites {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final PortalConfig config;

  PortalWrites(PortalConfig config) {
    this.config = config;
  }

  /**
   * Rewrites the portal's plugins on each of {@code routes} that the gateway has, for the document
   * {@code next}, as one admin write; routes the gateway lacks are passed over.
   *
   * @return null when the gateway applied it (or there was nothing to write), else why not
   */
  @Nullable Refusal routes(
      String actor, String action, Document next, List<String> routes, Portal.Objects gateway) {
    return together(actor, action, next, routes, List.of(), gateway);
  }

  /**
   * Rewrites the portal's plugins on {@code routes} (as {@link #routes}) and the consumers of
   * {@code apps} (as {@link #consumer}) for the document {@code next}, as one admin write. The
   * gateway takes them in one snapshot, so a renamed or deleted plan never leaves a key between a
   * consumer whose groups have changed and routes that do not admit them yet.
   *
   * @return null when the gateway applied it (or there was nothing to write), else why not
   */
  @Nullable Refusal together(
      String actor,
      String action,
      Document next,
      List<String> routes,
      List<Application> apps,
      Portal.Objects gateway) {
    Map<ObjectKey, ConfigNode> current = gateway.current();
    List<Change> changes = new ArrayList<>();
    List<Precondition> pre = new ArrayList<>();
    Refusal refusal = routeChanges(next, routes, current, changes, pre);
    if (refusal != null) {
      return refusal;
    }
    for (Application app : apps) {
      try {
        Change c = consumerChange(next, app, current);
        if (c != null) {
          changes.add(c);
        }
      } catch (IOException e) {
        return new Refusal(500, "portal-error", "The consumer could not be written.");
      }
    }
    return changes.isEmpty()
        ? null
        : write(gateway, new ObjectWrite(actor, "portal: " + action, changes, pre));
  }

  /** Adds the change of each of {@code routes} the gateway has to {@code changes}; or why not. */
  private @Nullable Refusal routeChanges(
      Document next,
      List<String> routes,
      Map<ObjectKey, ConfigNode> current,
      List<Change> changes,
      List<Precondition> pre) {
    for (String route : routes) {
      ObjectKey key = new ObjectKey(ObjectKind.ROUTES, route);
      ConfigNode node = current.get(key);
      if (node == null) {
        continue;
      }
      try {
        ObjectNode o = (ObjectNode) JSON.readTree(ObjectJson.writeForStorage(node));
        ObjectNode plugins =
            o.has("plugins") && o.get("plugins").isObject()
                ? (ObjectNode) o.get("plugins")
                : o.putObject("plugins");
        if (!plugins.has("key-auth")) {
          plugins.putObject("key-auth");
        }
        ObjectNode acl = plugins.putObject("acl");
        ArrayNode allow = acl.putArray("allow-groups");
        allow.add("portal-" + route);
        boolean open =
            next.apis().stream().anyMatch(a -> a.route().equals(route) && !a.unpublished());
        ObjectNode limit = plugins.putObject("rate-limit");
        limit.put("name", "portal-" + route);
        limit.put("key", "consumer");
        limit.putArray("limits").addObject().put("requests", 1).put("window", "1m");
        if (!next.plans().isEmpty()) {
          ObjectNode groups = limit.putObject("groups");
          for (Plan p : next.plans()) {
            if (open) {
              allow.add(Portal.group(route, p.name()));
            }
            groups.put(Portal.group(route, p.name()), p.requestsPerMinute());
          }
        }
        quotaPlugin(route, next.plans(), plugins);
        changes.add(Change.put(key, JSON.writeValueAsString(o)));
        pre.add(Precondition.etag(key, ObjectJson.etag(node)));
      } catch (IOException e) {
        return new Refusal(500, "portal-error", "The route " + route + " could not be read.");
      }
    }
    return null;
  }

  /**
   * Puts the {@code quota} plugin named {@code portal-<route>} on a route when a plan has a quota:
   * each plan's group gets its quota per its period, calendar or rolling ({@link Portal#MAX_QUOTA},
   * in effect none, for plans without one and for everyone else). Without such a plan, a quota of
   * this name is removed.
   */
  private void quotaPlugin(String route, List<Plan> plans, ObjectNode plugins) {
    PortalConfig.Quota q = config.quota();
    boolean any = plans.stream().anyMatch(p -> p.quota() > 0);
    if (q == null || !any) {
      if (plugins.path("quota").path("name").asText("").equals("portal-" + route)) {
        plugins.remove("quota");
      }
      return;
    }
    ObjectNode quota = plugins.putObject("quota");
    quota.put("name", "portal-" + route);
    quota.put("limit", Portal.MAX_QUOTA);
    quota.put("period", q.period());
    ObjectNode groups = quota.putObject("groups");
    for (Plan p : plans) {
      if (p.quota() > 0) {
        groups
            .putObject(Portal.group(route, p.name()))
            .put("limit", p.quota())
            .put("period", p.period(q.period()))
            .put("window", p.rolling() ? "rolling" : "calendar");
      } else {
        groups.put(Portal.group(route, p.name()), Portal.MAX_QUOTA);
      }
    }
    quota
        .putObject("redis")
        .put("url", q.redisUrl())
        .put("on-failure", q.onFailure())
        .put("timeout", q.timeout().toMillis() + "ms");
  }

  /**
   * Writes the consumer of {@code app} as the document {@code next} has it: its approved
   * subscriptions' groups and its keys' hashes; deleted once it has no keys.
   *
   * @return null when the gateway applied it (or there was nothing to write), else why not
   */
  @Nullable Refusal consumer(
      String actor, String action, Document next, Application app, Portal.Objects gateway) {
    Change change;
    try {
      change = consumerChange(next, app, gateway.current());
    } catch (IOException e) {
      return new Refusal(500, "portal-error", "The consumer could not be written.");
    }
    return change == null
        ? null
        : write(gateway, new ObjectWrite(actor, "portal: " + action, List.of(change), List.of()));
  }

  /** The change that makes the consumer of {@code app} as {@code next} has it; null: none. */
  private static @Nullable Change consumerChange(
      Document next, Application app, Map<ObjectKey, ConfigNode> objects) throws IOException {
    ObjectKey key = new ObjectKey(ObjectKind.CONSUMERS, app.consumer());
    Application current =
        next.applications().stream().filter(a -> a.id().equals(app.id())).findFirst().orElse(app);
    if (current.keys().isEmpty()) {
      return objects.containsKey(key) ? Change.delete(key) : null;
    } else {
      ObjectNode o = JSON.createObjectNode();
      o.put("name", app.consumer());
      o.put("custom-id", app.id());
      ArrayNode groups = o.putArray("groups");
      for (Subscription s : next.approved(app.id())) {
        groups.add(Portal.group(s.api(), s.plan()));
      }
      ArrayNode creds = o.putObject("credentials").putArray("key-auth");
      for (Key k : current.keys()) {
        creds.addObject().put("key", k.hash()).put("id", app.consumer() + "-" + k.id());
      }
      return Change.put(key, JSON.writeValueAsString(o));
    }
  }

  private static @Nullable Refusal write(Portal.Objects gateway, ObjectWrite w) {
    WriteResult r = gateway.write(w);
    if (r instanceof WriteResult.Applied) {
      return null;
    }
    if (r instanceof WriteResult.Rejected rej) {
      return new Refusal(
          422, "portal-config-rejected", "The gateway refused the change: " + rej.problems());
    }
    WriteResult.Failed f = (WriteResult.Failed) r;
    return new Refusal(f.status(), f.type(), f.detail());
  }
}
