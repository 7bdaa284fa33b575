/**
 * The gRPC plugins: {@code grpc-transcode} (JSON over HTTP into gRPC calls, by the {@code
 * google.api.http} bindings of a descriptor set) and {@code grpc-web} (browser gRPC-Web into gRPC).
 *
 * <table>
 *   <caption>gRPC plugins</caption>
 *   <tr><th>name</th><th>priority</th><th>phases</th></tr>
 *   <tr><td>grpc-web</td><td>2550</td><td>REWRITE, RESPONSE, RESPONSE_BODY</td></tr>
 *   <tr><td>grpc-transcode</td><td>500</td><td>REWRITE, RESPONSE, RESPONSE_BODY</td></tr>
 * </table>
 *
 * <p>Both rewrite the request in REWRITE (method, path, {@code Content-Type}, the body in gRPC's
 * length-prefixed framing) so the upstream call is an ordinary gRPC call over HTTP/2, and turn the
 * response back in RESPONSE and RESPONSE_BODY, reading the call's status from the response trailers
 * ({@link io.portico.spi.plugin.Exchange#responseTrailers()}). Descriptor sets are read and
 * compiled when the config is parsed, so a reload re-reads them and {@code portico validate}
 * reports a file that does not parse. Framing, statuses and {@code grpc-message} come from {@link
 * io.portico.grpc}.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.grpc;

import org.jspecify.annotations.NullMarked;
