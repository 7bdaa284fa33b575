/**
 * The AI gateway: an OpenAI-compatible front ({@code /chat/completions}, {@code /embeddings},
 * {@code /models}) on routes with an {@code ai} section, answered by calling LLM providers with the
 * gateway's own keys.
 *
 * <p>{@link io.portico.ai.AiPlan} is a route's section compiled per snapshot (models, targets,
 * providers with their {@code ProviderAdapter} and {@code KeyRing}); {@link io.portico.ai.AiRun} is
 * one exchange's request: body, validation, the targets tried in turn, translation, streaming.
 * Provider calls are ordinary {@link io.portico.upstream.UpstreamCall}s on the exchange's event
 * loop, to the service each provider becomes ({@code ai.<name>}), so pools, TLS and timeouts are
 * the proxy's own. One adapter per wire format: {@code OpenAiAdapter} (also any OpenAI-compatible
 * endpoint), {@code AzureOpenAiAdapter}, {@code AnthropicAdapter}, {@code GeminiAdapter}.
 */
@NullMarked
package io.portico.ai;

import org.jspecify.annotations.NullMarked;
