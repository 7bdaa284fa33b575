package io.portico.portal;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** The records the portal keeps in its store document. */
public final class PortalData {

  private PortalData() {}

  /**
   * A route offered in the catalogue.
   *
   * @param route the route's name, which is also the API's id
   * @param openapi where the API's OpenAPI document is (a URL or a path on the gateway), or null
   * @param hasDocument whether the portal keeps the API's OpenAPI document ({@link
   *     io.portico.portal.Portal#openApi}), which its viewer shows
   * @param unpublished whether an operator took the API out of the catalogue: developers no longer
   *     see it, and the keys of its subscriptions are refused on it until it is published again
   */
  public record Api(
      String route,
      String title,
      String description,
      @Nullable String openapi,
      String publisher,
      boolean hasDocument,
      boolean unpublished) {

    Api withUnpublished(boolean u) {
      return new Api(route, title, description, openapi, publisher, hasDocument, u);
    }
  }

  /**
   * A tier of access: {@code requestsPerMinute} per application and API, and at most {@code quota}
   * requests per {@code quotaPeriod} (0: no quota).
   *
   * @param autoApprove whether a subscription under the plan is approved at once
   * @param quotaPeriod {@code hour}, {@code day} or {@code month}; null: {@code
   *     portal.quota.period}
   * @param quotaWindow {@code calendar} (null) or {@code rolling}
   */
  public record Plan(
      String name,
      String description,
      int requestsPerMinute,
      boolean autoApprove,
      long quota,
      @Nullable String quotaPeriod,
      @Nullable String quotaWindow,
      boolean deprecated) {

    /** The period of the quota, with {@code fallback} ({@code portal.quota.period}) for none. */
    public String period(String fallback) {
      return quotaPeriod == null ? fallback : quotaPeriod;
    }

    /** Whether the quota counts the period that ends now rather than the calendar's. */
    public boolean rolling() {
      return "rolling".equals(quotaWindow);
    }

    /**
     * The plan's ETag: the first 16 hex digits of the SHA-256 of every field, so that any change,
     * its name's included, gives another one. {@code If-Match} on a plan's write compares with it.
     */
    public String etag() {
      String all =
          String.join(
                  "\n",
                  name,
                  description,
                  Integer.toString(requestsPerMinute),
                  Boolean.toString(autoApprove),
                  Long.toString(quota),
                  String.valueOf(quotaPeriod),
                  String.valueOf(quotaWindow))
              // only when set, so the plans kept before the field existed keep their ETags
              + (deprecated ? "\ndeprecated" : "");
      return io.portico.accounts.Secrets.sha256(all).substring(0, 16);
    }
  }

  /** An application of a developer account; on the gateway, the consumer {@link #consumer()}. */
  public record Application(
      String id, String name, String description, String owner, String created, List<Key> keys) {

    public Application {
      keys = List.copyOf(keys);
    }

    /** The consumer that stands for the application on the gateway. */
    public String consumer() {
      return "app-" + id;
    }

    Application withKeys(List<Key> k) {
      return new Application(id, name, description, owner, created, k);
    }
  }

  /**
   * An API key of an application: only its hash is kept.
   *
   * @param hash {@code sha256:} and the hex SHA-256 of the key, as {@code key-auth} stores keys
   */
  public record Key(String id, String hash, String created) {}

  /** The states of a subscription. */
  public enum State {
    PENDING,
    APPROVED,
    REJECTED,
    REVOKED;

    public String text() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** An application's subscription to an API under a plan. */
  public record Subscription(
      String id,
      String application,
      String api,
      String plan,
      State state,
      String created,
      @Nullable String decidedBy) {

    Subscription decided(State s, String by) {
      return new Subscription(id, application, api, plan, s, created, by);
    }

    /** The same subscription under the plan {@code p}. */
    Subscription under(String p) {
      return new Subscription(id, application, api, p, state, created, decidedBy);
    }

    /** Whether it holds its plan: pending or approved; a rejected or revoked one has ended. */
    public boolean live() {
      return state == State.PENDING || state == State.APPROVED;
    }
  }

  /** The whole document. */
  public record Document(
      List<Api> apis, List<Plan> plans, List<Application> applications, List<Subscription> subs) {

    public Document {
      apis = List.copyOf(apis);
      plans = List.copyOf(plans);
      applications = List.copyOf(applications);
      subs = List.copyOf(subs);
    }

    static final Document EMPTY = new Document(List.of(), List.of(), List.of(), List.of());

    /** The approved subscriptions of the application {@code appId}. */
    List<Subscription> approved(String appId) {
      return subs.stream()
          .filter(s -> s.application().equals(appId) && s.state() == State.APPROVED)
          .toList();
    }
  }
}
