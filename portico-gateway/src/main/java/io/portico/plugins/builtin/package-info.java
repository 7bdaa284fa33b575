/**
 * The plugins that ship with Portico, each a {@link io.portico.spi.plugin.PluginFactory} registered
 * with {@link java.util.ServiceLoader} under its config key.
 *
 * <table>
 *   <caption>Built-in plugins</caption>
 *   <tr><th>name</th><th>priority</th><th>phases</th></tr>
 *   <tr><td>request-id</td><td>3100</td><td>REWRITE, RESPONSE</td></tr>
 *   <tr><td>ip-restriction</td><td>3000</td><td>ACCESS</td></tr>
 *   <tr><td>cors</td><td>2500</td><td>ACCESS, RESPONSE</td></tr>
 *   <tr><td>request-headers</td><td>801</td><td>REWRITE</td></tr>
 *   <tr><td>response-headers</td><td>800</td><td>RESPONSE</td></tr>
 *   <tr><td>echo</td><td>100</td><td>ACCESS</td></tr>
 *   <tr><td>mock</td><td>90</td><td>ACCESS</td></tr>
 * </table>
 *
 * <p>Every factory parses its config into an immutable record at load time (header names become
 * {@link io.netty.util.AsciiString}s, value templates are compiled, CIDR blocks become Netty filter
 * rules, bodies are rendered), so the per-request work is lookups and header writes. Plugin
 * instances are immutable, shared by every exchange of a snapshot, and run on the exchange's event
 * loop without blocking.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.builtin;

import org.jspecify.annotations.NullMarked;
