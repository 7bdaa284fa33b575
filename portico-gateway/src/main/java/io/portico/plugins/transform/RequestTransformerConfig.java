package io.portico.plugins.transform;

import io.netty.handler.codec.http.HttpMethod;
import io.portico.template.Template;
import org.jspecify.annotations.Nullable;

/**
 * The compiled config of request-transformer.
 *
 * @param method the method sent upstream, or null to keep the client's
 * @param path the path template sent upstream (the query is kept and edited), or null to keep it
 * @param query the query edits
 * @param headers the header edits
 * @param body the body edits and the body's size limit
 * @param readsBody whether the plugin reads the body: it edits it, or a template reads {@code
 *     ${body}}
 */
record RequestTransformerConfig(
    @Nullable HttpMethod method,
    @Nullable Template path,
    RequestTransformerQuery query,
    RequestTransformerHeaders headers,
    RequestTransformerBody body,
    boolean readsBody) {}
