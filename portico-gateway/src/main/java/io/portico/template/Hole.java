package io.portico.template;

import com.fasterxml.jackson.core.JsonPointer;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/**
 * One variable of a compiled template, with what its lookup needs prepared at compile time.
 *
 * @param variable which variable
 * @param argument the name after the dot (a path parameter, query parameter or claim name), or null
 * @param header a header name ready for lookups, for {@code header} and {@code response_header}
 * @param pointer the JSON Pointer of {@code ${body./...}}; null for the whole body or other
 *     variables
 * @param fallback the default after {@code :-}, written when the value is missing; null for none
 * @param written the variable as configured, {@code ${name:-default}}
 */
record Hole(
    Variable variable,
    @Nullable String argument,
    @Nullable AsciiString header,
    @Nullable JsonPointer pointer,
    @Nullable String fallback,
    String written)
    implements Part {}
