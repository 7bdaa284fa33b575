/**
 * {@code discovery: { kind: dns }}: the addresses of a name (A/AAAA) or the targets of its SRV
 * records, queried again when their TTL (clamped) runs out, on Netty's asynchronous DNS resolver.
 */
@NullMarked
package io.portico.upstream.discovery.dns;

import org.jspecify.annotations.NullMarked;
