package io.portico.portal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.accounts.Outcome;
import io.portico.accounts.Refusal;
import io.portico.accounts.Secrets;
import io.portico.config.PortalConfig;
import io.portico.portal.PortalData.Api;
import io.portico.portal.PortalData.Application;
import io.portico.portal.PortalData.Document;
import io.portico.portal.PortalData.Key;
import io.portico.portal.PortalData.Plan;
import io.portico.portal.PortalData.State;
import io.portico.portal.PortalData.Subscription;
import io.portico.spi.config.ConfigNode;
import io.portico.store.AuditEntry;
import io.portico.store.ConfigStore;
import io.portico.store.ObjectKey;
import io.portico.store.ObjectKind;
import io.portico.store.ObjectWrite;
import io.portico.store.WriteResult;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The developer portal: its document in the config store ({@value #DOCUMENT}) and the rules of
 * every change. Every method is synchronized and may write the store: call them off the event
 * loops.
 *
 * <p>What the gateway must do follows from the document and is applied as one admin write per
 * change ({@link Objects#write}), made by {@link PortalWrites} before the document is saved; making
 * or changing a plan rewrites every route of the catalogue:
 *
 * <ul>
 *   <li>a published route gets {@code key-auth} (unless it has it), {@code acl} allowing the groups
 *       {@code portal-<route>-<plan>} of every plan (and {@code portal-<route>} for consumers an
 *       operator adds by hand), and {@code rate-limit} counting per consumer, one request a minute
 *       times the plan's {@code requests_per_minute} for each plan group, and {@code quota} with
 *       each plan's quota, period and window when a plan has one;
 *   <li>an application with keys is the consumer {@code app-<id>}, in the group of each of its
 *       approved subscriptions, with its keys' hashes as {@code key-auth} credentials.
 * </ul>
 */
public final class Portal {

  /** The store document the portal is kept in. */
  public static final String DOCUMENT = "portal";

  /** The prefix of the store documents that keep published APIs' OpenAPI documents. */
  public static final String OPENAPI_DOCUMENT = "portal-openapi-";

  /** The prefix of an application's API key. */
  public static final String KEY_PREFIX = "pk_";

  /** The largest quota of a plan; also the allowance of callers without a quota. */
  public static final long MAX_QUOTA = Long.MAX_VALUE / 4;

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The gateway's config objects, as the portal reads and writes them. */
  public interface Objects {
    /** The effective config objects now. */
    Map<ObjectKey, ConfigNode> current();

    /** Applies an admin write. */
    WriteResult write(ObjectWrite write);
  }

  private final ConfigStore store;
  private final PortalConfig config;
  private final Clock clock;
  private final Secrets secrets = new Secrets(new SecureRandom());
  private final Invitations invitations;
  private final PortalWrites writes;
  private Document doc;

  private Portal(
      ConfigStore store, PortalConfig config, Clock clock, Document doc, Invitations invitations) {
    this.store = store;
    this.config = config;
    this.clock = clock;
    this.doc = doc;
    this.invitations = invitations;
    this.writes = new PortalWrites(config);
  }

  /** The portal kept in {@code store}, empty at first. */
  public static Portal open(ConfigStore store, PortalConfig config, Clock clock)
      throws IOException {
    Optional<byte[]> bytes = store.document(DOCUMENT);
    Document d = bytes.isEmpty() ? Document.EMPTY : JSON.readValue(bytes.get(), Document.class);
    return new Portal(
        store, config, clock, d, Invitations.open(store, clock, config.invitationTtl()));
  }

  public PortalConfig config() {
    return config;
  }

  /** The developers' invitations. */
  public Invitations invitations() {
    return invitations;
  }

  public synchronized Document document() {
    return doc;
  }

  // ---- catalogue and plans (operators)

  /**
   * Publishes {@code route} (or updates its entry) and puts the portal's plugins on it.
   *
   * @param document the API's OpenAPI document (JSON) to keep for the viewer, or null to keep the
   *     one kept before, if any
   */
  public synchronized Outcome<Api> publish(
      String actor,
      String route,
      String title,
      String description,
      @Nullable String openapi,
      byte @Nullable [] document,
      Objects gateway)
      throws IOException {
    if (!gateway.current().containsKey(new ObjectKey(ObjectKind.ROUTES, route))) {
      return Outcome.refused(404, "portal-not-found", "No route " + route + ".");
    }
    if (title.isBlank()) {
      return Outcome.refused(400, "portal-invalid", "title: (expected: a non-empty string)");
    }
    boolean had = doc.apis().stream().anyMatch(a -> a.route().equals(route) && a.hasDocument());
    Api api = new Api(route, title, description, openapi, actor, had || document != null, false);
    List<Api> apis = new ArrayList<>(doc.apis());
    apis.removeIf(a -> a.route().equals(route));
    apis.add(api);
    Document next = new Document(apis, doc.plans(), doc.applications(), doc.subs());
    Refusal refusal = writes.routes(actor, "publish " + route, next, List.of(route), gateway);
    if (refusal != null) {
      return new Outcome.Refused<>(refusal);
    }
    if (document != null) {
      store.putDocument(openApiDocument(route), document);
    }
    return save(actor, "publish " + route, next, api);
  }

  /**
   * Takes a published API out of the catalogue ({@code published} false), or puts it back. While it
   * is out, developers do not see it, no application may subscribe to it, and its route's {@code
   * acl} admits none of the plans' groups: the keys of its subscriptions get {@code 403} on it at
   * once. The subscriptions keep their states, so publishing it again gives the same applications
   * their access back without a new approval.
   */
  public synchronized Outcome<Api> setPublished(
      String actor, String route, boolean published, Objects gateway) throws IOException {
    Api api = api(route, true);
    if (api == null) {
      return Outcome.refused(404, "portal-not-found", "No API " + route + " in the catalogue.");
    }
    if (api.unpublished() != published) {
      return Outcome.refused(
          409,
          "portal-state",
          "The API " + route + " is already " + (published ? "published" : "unpublished") + ".");
    }
    Api changed = api.withUnpublished(!published);
    List<Api> apis = new ArrayList<>(doc.apis());
    apis.replaceAll(a -> a.route().equals(route) ? changed : a);
    Document next = new Document(apis, doc.plans(), doc.applications(), doc.subs());
    String action = (published ? "republish " : "unpublish ") + route;
    Refusal refusal = writes.routes(actor, action, next, List.of(route), gateway);
    return refusal != null ? new Outcome.Refused<>(refusal) : save(actor, action, next, changed);
  }

  /**
   * The API {@code route} of the catalogue; an unpublished one only when {@code withUnpublished}
   * (for operators).
   */
  public synchronized @Nullable Api api(String route, boolean withUnpublished) {
    for (Api a : doc.apis()) {
      if (a.route().equals(route) && (withUnpublished || !a.unpublished())) {
        return a;
      }
    }
    return null;
  }

  /**
   * The OpenAPI document kept for the API {@code route}, if any; of an unpublished one only when
   * {@code withUnpublished}.
   */
  public synchronized Optional<byte[]> openApi(String route, boolean withUnpublished)
      throws IOException {
    Api api = api(route, withUnpublished);
    return api != null && api.hasDocument()
        ? store.document(openApiDocument(route))
        : Optional.empty();
  }

  /** The store document of a route's OpenAPI document, named for its hash (any route name). */
  private static String openApiDocument(String route) {
    return OPENAPI_DOCUMENT + Secrets.sha256(route).substring(0, 32);
  }

  /** Creates a plan; every route of the catalogue learns its group. */
  public synchronized Outcome<Plan> createPlan(
      String actor,
      String name,
      String description,
      int requestsPerMinute,
      boolean autoApprove,
      long quota,
      @Nullable String quotaPeriod,
      @Nullable String quotaWindow,
      Objects gateway)
      throws IOException {
    Refusal invalid = PlanRules.checkName(name);
    if (invalid == null) {
      invalid =
          PlanRules.check(
              description,
              requestsPerMinute,
              quota,
              quotaPeriod,
              quotaWindow,
              config.quota() != null);
    }
    if (invalid != null) {
      return new Outcome.Refused<>(invalid);
    }
    if (plan(name) != null) {
      return Outcome.refused(409, "portal-exists", "A plan " + name + " exists.");
    }
    Plan plan =
        PlanRules.plan(
            name,
            description,
            requestsPerMinute,
            autoApprove,
            quota,
            quotaPeriod,
            quotaWindow,
            false);
    List<Plan> plans = new ArrayList<>(doc.plans());
    plans.add(plan);
    Document next = new Document(doc.apis(), plans, doc.applications(), doc.subs());
    return savePlans(actor, "create plan " + name, next, List.of(), plan, gateway);
  }

  /**
   * Changes a plan's name, limits, quota, approval or description. The routes of the catalogue get
   * the new limits in the same admin write, so the keys of every subscription under the plan are
   * held to them as soon as this returns, without being reissued (the consumers' groups name the
   * plan, not its limits). Subscriptions keep their states: a pending one stays pending when the
   * plan starts approving on its own, since {@code auto_approve} decides new subscriptions only.
   *
   * <p>A new name is taken by the plan's subscriptions (ended ones too) and, in that same admin
   * write, by the groups of the routes and of the consumers of applications with keys: on the
   * gateway, one snapshot has the old group everywhere and the next the new one, so the keys keep
   * working, under the same limits, without a gap.
   *
   * @param ifMatch the ETag the caller read ({@link Plan#etag}), {@code *} or null: a write over
   *     another version is refused with {@code 412}
   */
  public synchronized Outcome<Plan> updatePlan(
      String actor, String name, PlanEdit edit, @Nullable String ifMatch, Objects gateway)
      throws IOException {
    Plan old = plan(name);
    if (old == null) {
      return Outcome.refused(404, "portal-not-found", "No plan " + name + ".");
    }
    Refusal stale = PlanRules.stale(old, ifMatch);
    if (stale != null) {
      return new Outcome.Refused<>(stale);
    }
    if (edit.empty()) {
      return Outcome.refused(
          400,
          "portal-invalid",
          "the body: {} (expected: at least one of name, description, requests_per_minute,"
              + " auto_approve, quota, quota_period, quota_window)");
    }
    String to = edit.name() == null ? name : edit.name();
    if (!to.equals(name)) {
      Refusal invalid = PlanRules.checkName(to);
      if (invalid != null) {
        return new Outcome.Refused<>(invalid);
      }
      if (plan(to) != null) {
        return Outcome.refused(409, "portal-exists", "A plan " + to + " exists.");
      }
    }
    Outcome<Plan> edited = PlanRules.edited(old, edit, config.quota() != null);
    Plan plan = edited.value();
    if (plan == null) {
      return edited;
    }
    PortalConfig.Quota quota = config.quota();
    String changes = PlanEdit.differences(old, plan, quota == null ? "day" : quota.period());
    if (changes.isEmpty()) {
      return Outcome.done(old);
    }
    List<Plan> plans = new ArrayList<>(doc.plans());
    plans.replaceAll(p -> p.name().equals(name) ? plan : p);
    List<Subscription> subs = new ArrayList<>(doc.subs());
    subs.replaceAll(s -> s.plan().equals(name) ? s.under(to) : s);
    Document next = new Document(doc.apis(), plans, doc.applications(), subs);
    String action = "update plan " + name + " (" + changes + ")";
    return savePlans(actor, action, next, keyed(name), plan, gateway);
  }

  /** What a deleted plan left: the subscriptions moved to another plan, if any. */
  public record DeletedPlan(Plan plan, @Nullable String movedTo, List<Subscription> moved) {}

  /**
   * Deletes a plan. While pending or approved subscriptions hold it, it is refused with {@code 409}
   * naming them, unless {@code moveTo} names another plan: they are moved to it then, keeping their
   * states and keys (an approved one is not approved again), and the consumers' groups and the
   * routes change in one admin write, as for a rename. Rejected and revoked subscriptions keep the
   * name as a record.
   */
  public synchronized Outcome<DeletedPlan> deletePlan(
      String actor, String name, @Nullable String moveTo, @Nullable String ifMatch, Objects gateway)
      throws IOException {
    Plan old = plan(name);
    if (old == null) {
      return Outcome.refused(404, "portal-not-found", "No plan " + name + ".");
    }
    Refusal stale = PlanRules.stale(old, ifMatch);
    if (stale != null) {
      return new Outcome.Refused<>(stale);
    }
    if (moveTo != null && (moveTo.equals(name) || plan(moveTo) == null)) {
      return Outcome.refused(
          400,
          "portal-invalid",
          "move-to: \""
              + moveTo
              + "\" (expected: the name of another plan, which takes the"
              + " subscriptions of "
              + name
              + ")");
    }
    List<Subscription> holding = holding(name);
    if (moveTo == null && !holding.isEmpty()) {
      return Outcome.refused(409, "portal-plan-in-use", PlanRules.inUse(name, holding, doc));
    }
    String target = moveTo == null ? name : moveTo;
    List<Plan> plans = new ArrayList<>(doc.plans());
    plans.removeIf(p -> p.name().equals(name));
    List<Subscription> subs = new ArrayList<>(doc.subs());
    subs.replaceAll(s -> s.plan().equals(name) && s.live() ? s.under(target) : s);
    Document next = new Document(doc.apis(), plans, doc.applications(), subs);
    List<Subscription> moved = holding.stream().map(s -> s.under(target)).toList();
    return savePlans(
        actor,
        PlanRules.deleteAction(name, moved),
        next,
        keyed(name),
        new DeletedPlan(old, moved.isEmpty() ? null : target, moved),
        gateway);
  }

  /** The pending and approved subscriptions under the plan {@code name}. */
  public synchronized List<Subscription> holding(String name) {
    return doc.subs().stream().filter(s -> s.plan().equals(name) && s.live()).toList();
  }

  /** The applications with keys and an approved subscription under {@code plan}. */
  private List<Application> keyed(String plan) {
    List<Application> out = new ArrayList<>();
    for (Application a : doc.applications()) {
      if (!a.keys().isEmpty()
          && doc.approved(a.id()).stream().anyMatch(s -> s.plan().equals(plan))) {
        out.add(a);
      }
    }
    return out;
  }

  /**
   * The document {@code next} written to every route of the catalogue and to the consumers of
   * {@code apps} in one admin write, then kept.
   */
  private <T> Outcome<T> savePlans(
      String actor, String action, Document next, List<Application> apps, T value, Objects gateway)
      throws IOException {
    List<String> routes = doc.apis().stream().map(Api::route).toList();
    Refusal refusal = writes.together(actor, action, next, routes, apps, gateway);
    return refusal != null ? new Outcome.Refused<>(refusal) : save(actor, action, next, value);
  }

  /** The plan {@code name}, or null. */
  public synchronized @Nullable Plan plan(String name) {
    return doc.plans().stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
  }

  // ---- applications and subscriptions (developers)

  /** Creates an application owned by {@code owner}. */
  public synchronized Outcome<Application> createApplication(
      String owner, String name, String description) throws IOException {
    if (name.isBlank() || name.length() > 100) {
      return Outcome.refused(400, "portal-invalid", "name: (expected: 1 to 100 characters)");
    }
    Application app = new Application(secrets.hex(8), name, description, owner, now(), List.of());
    List<Application> apps = new ArrayList<>(doc.applications());
    apps.add(app);
    return save(
        owner,
        "create application " + app.id(),
        new Document(doc.apis(), doc.plans(), apps, doc.subs()),
        app);
  }

  /** The application {@code id} when {@code owner} owns it (any, when {@code owner} is null). */
  public synchronized @Nullable Application application(String id, @Nullable String owner) {
    for (Application a : doc.applications()) {
      if (a.id().equals(id) && (owner == null || a.owner().equals(owner))) {
        return a;
      }
    }
    return null;
  }

  /** Subscribes an application to a published API under a plan. */
  public synchronized Outcome<Subscription> subscribe(
      String owner, String appId, String api, String planName, Objects gateway) throws IOException {
    Application app = application(appId, owner);
    if (app == null) {
      return Outcome.refused(404, "portal-not-found", "No application " + appId + " of yours.");
    }
    if (api(api, false) == null) {
      return Outcome.refused(404, "portal-not-found", "No published API " + api + ".");
    }
    Plan plan = plan(planName);
    if (plan == null) {
      return Outcome.refused(404, "portal-not-found", "No plan " + planName + ".");
    }
    Refusal deprecated = PlanRules.deprecated(plan, doc.plans());
    if (deprecated != null) {
      return new Outcome.Refused<>(deprecated);
    }
    boolean active =
        doc.subs().stream()
            .anyMatch(
                s ->
                    s.application().equals(appId)
                        && s.api().equals(api)
                        && (s.state() == State.PENDING || s.state() == State.APPROVED));
    if (active) {
      return Outcome.refused(
          409, "portal-exists", "The application already has a subscription to " + api + ".");
    }
    State state = plan.autoApprove() ? State.APPROVED : State.PENDING;
    Subscription sub =
        new Subscription(
            secrets.hex(8), appId, api, planName, state, now(), plan.autoApprove() ? "plan" : null);
    List<Subscription> subs = new ArrayList<>(doc.subs());
    subs.add(sub);
    Document next = new Document(doc.apis(), doc.plans(), doc.applications(), subs);
    String action = "subscribe " + appId + " to " + api + " under " + planName;
    if (state == State.APPROVED) {
      Refusal refusal = writes.consumer(owner, action, next, app, gateway);
      if (refusal != null) {
        return new Outcome.Refused<>(refusal);
      }
    }
    return save(owner, action, next, sub);
  }

  /**
   * An operator's decision: a pending subscription becomes {@code approved} or {@code rejected}; an
   * approved one {@code revoked}.
   */
  public synchronized Outcome<Subscription> decide(
      String actor, String subId, State to, Objects gateway) throws IOException {
    Subscription sub =
        doc.subs().stream().filter(s -> s.id().equals(subId)).findFirst().orElse(null);
    if (sub == null) {
      return Outcome.refused(404, "portal-not-found", "No subscription " + subId + ".");
    }
    boolean allowed =
        switch (to) {
          case APPROVED, REJECTED -> sub.state() == State.PENDING;
          case REVOKED -> sub.state() == State.APPROVED;
          case PENDING -> false;
        };
    if (!allowed) {
      return Outcome.refused(
          409,
          "portal-state",
          "The subscription is " + sub.state().text() + "; it cannot become " + to.text() + ".");
    }
    Subscription decided = sub.decided(to, actor);
    List<Subscription> subs = new ArrayList<>(doc.subs());
    subs.replaceAll(s -> s.id().equals(subId) ? decided : s);
    Document next = new Document(doc.apis(), doc.plans(), doc.applications(), subs);
    String action = to.text() + " subscription " + subId;
    Application app = application(sub.application(), null);
    if (app != null && to != State.REJECTED) {
      Refusal refusal = writes.consumer(actor, action, next, app, gateway);
      if (refusal != null) {
        return new Outcome.Refused<>(refusal);
      }
    }
    return save(actor, action, next, decided);
  }

  /** A new key issued to the owner: the key itself, shown once, and what is kept of it. */
  public record IssuedKey(Key stored, String key) {}

  /** Issues an API key to an application with an approved subscription. */
  public synchronized Outcome<IssuedKey> issueKey(String owner, String appId, Objects gateway)
      throws IOException {
    Application app = application(appId, owner);
    if (app == null) {
      return Outcome.refused(404, "portal-not-found", "No application " + appId + " of yours.");
    }
    if (doc.approved(appId).isEmpty()) {
      return Outcome.refused(
          409,
          "portal-state",
          "The application has no approved subscription; keys are issued once one is approved.");
    }
    String key = KEY_PREFIX + secrets.text(32);
    Key stored = new Key(secrets.hex(6), "sha256:" + Secrets.sha256(key), now());
    List<Key> keys = new ArrayList<>(app.keys());
    keys.add(stored);
    Application updated = app.withKeys(keys);
    Document next = replace(doc, updated);
    String action = "issue key " + stored.id() + " to application " + appId;
    Refusal refusal = writes.consumer(owner, action, next, updated, gateway);
    if (refusal != null) {
      return new Outcome.Refused<>(refusal);
    }
    return save(owner, action, next, new IssuedKey(stored, key));
  }

  /** Revokes one of an application's keys. */
  public synchronized Outcome<Application> revokeKey(
      String owner, String appId, String keyId, Objects gateway) throws IOException {
    Application app = application(appId, owner);
    if (app == null || app.keys().stream().noneMatch(k -> k.id().equals(keyId))) {
      return Outcome.refused(404, "portal-not-found", "No key " + keyId + " of yours.");
    }
    Application updated =
        app.withKeys(app.keys().stream().filter(k -> !k.id().equals(keyId)).toList());
    Document next = replace(doc, updated);
    String action = "revoke key " + keyId + " of application " + appId;
    Refusal refusal = writes.consumer(owner, action, next, updated, gateway);
    return refusal != null ? new Outcome.Refused<>(refusal) : save(owner, action, next, updated);
  }

  // ---- the gateway's objects

  /** The consumer group of a subscription to {@code route} under {@code plan}. */
  public static String group(String route, String plan) {
    return "portal-" + route + "-" + plan;
  }

  // ---- helpers

  private static Document replace(Document d, Application app) {
    List<Application> apps = new ArrayList<>(d.applications());
    apps.replaceAll(a -> a.id().equals(app.id()) ? app : a);
    return new Document(d.apis(), d.plans(), apps, d.subs());
  }

  private <T> Outcome<T> save(String actor, String action, Document next, T value)
      throws IOException {
    store.putDocument(DOCUMENT, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(next));
    doc = next;
    store.audit(new AuditEntry(clock.instant(), actor, "portal: " + action, "applied", null, ""));
    return Outcome.done(value);
  }

  private String now() {
    return clock.instant().toString();
  }
}
