/**
 * {@code discovery: { kind: kubernetes }}: the ready endpoints of a Kubernetes Service, from its
 * EndpointSlices, watched with the fabric8 client (an informer on the JDK HTTP client transport).
 */
@NullMarked
package io.portico.upstream.discovery.kubernetes;

import org.jspecify.annotations.NullMarked;
