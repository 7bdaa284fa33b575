package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.template.Template;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One backend of an aggregate: the request made to a service, and how its JSON body joins the
 * answer. The request's method, path, header values, query values and body are templates of the
 * {@link io.portico.template.Scope#BACKEND_REQUEST} scope, compiled when the config is loaded; they
 * may read the bodies of the backends named in {@code after}.
 *
 * @param name unique within the aggregate; names the backend in failures, headers and logs
 * @param service the configured service called
 * @param method the request method, a template rendered per call (most often constant)
 * @param path the request path (may carry a query), a template in the URI destination
 * @param headers request headers set on the backend's request, values as templates
 * @param query query parameters added to the path, values as templates
 * @param body the request body, or null for none
 * @param timeout the backend's own deadline from its start, or null for the aggregate's
 * @param required whether the aggregate fails when this backend fails, even under {@code partial}
 * @param after backends whose responses must have arrived before this one starts
 * @param merge how the body joins the answer
 * @param node where the backend is, for later compilation steps to report against
 */
public record BackendConfig(
    String name,
    String service,
    Template method,
    Template path,
    Map<String, Template> headers,
    Map<String, Template> query,
    @Nullable BackendBody body,
    @Nullable Duration timeout,
    boolean required,
    List<String> after,
    MergeRule merge,
    ConfigNode node) {

  /**
   * How a backend's body joins the answer, applied in this order: {@code target}, {@code
   * allow}/{@code deny}, {@code rename}, then {@code group} or {@code collection} (or, with
   * neither, a merge of the object's members into the answer's root).
   *
   * @param target a JSON Pointer ({@code /data}) or member name: only that member is kept, or null
   * @param allow field paths ({@code a.b}) to keep, all others removed; empty = keep all
   * @param deny field paths to remove
   * @param rename top-level members renamed, old name to new
   * @param group the key under which the body goes, or null
   * @param collection the key under which an array body goes, or null
   */
  public record MergeRule(
      @Nullable String target,
      List<String> allow,
      List<String> deny,
      Map<String, String> rename,
      @Nullable String group,
      @Nullable String collection) {

    /** Whether the body is taken as it is: no member picked, filtered or renamed. */
    public boolean untouched() {
      return target == null && allow.isEmpty() && deny.isEmpty() && rename.isEmpty();
    }
  }
}
