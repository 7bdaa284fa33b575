package io.portico.template;

/**
 * Where a rendered template goes, which decides how values taken from the exchange are written.
 * Literal text and defaults are written as configured (and checked at compile time to suit the
 * destination); only variable values are encoded.
 */
public enum Destination {
  /** Plain text (a JSON string, a body): values as they are. */
  TEXT,
  /**
   * A header value: values keep printable ASCII, and every other character (control characters,
   * line breaks, non-ASCII) is percent-encoded as UTF-8, so a value can never split a header.
   * Literal text must be printable ASCII.
   */
  HEADER,
  /**
   * A URI path or query piece: values are percent-encoded as UTF-8 except the unreserved characters
   * ({@code A-Z a-z 0-9 - . _ ~}), so a value is always one path segment or one query value.
   * Literal text must be printable ASCII without spaces.
   */
  URI,
  /**
   * JSON text, such as a body built from a template ({@code {"user": ${body./user}}}): each value
   * is written as JSON (a string quoted and escaped, a number, object or array as it is), and a
   * missing value without a default as {@code null}. Literal text and defaults are JSON text as
   * configured.
   */
  JSON;

  /** Appends {@code value} to {@code out}, encoded for this destination. */
  void append(StringBuilder out, CharSequence value) {
    switch (this) {
      case TEXT -> out.append(value);
      case HEADER -> Encodings.appendHeaderSafe(out, value);
      case URI -> Encodings.appendUriComponent(out, value);
      case JSON -> out.append(value);
    }
  }

  /** Whether configured text may be written as it is; the rule for messages otherwise. */
  boolean accepts(String literal) {
    return switch (this) {
      case TEXT -> true;
      case HEADER -> Encodings.isHeaderSafe(literal);
      case URI -> Encodings.isUriSafe(literal);
      case JSON -> true;
    };
  }

  /** What {@link #accepts} wants, for messages. */
  String rule() {
    return switch (this) {
      case TEXT -> "any text";
      case HEADER -> Encodings.HEADER_VALUE_RULE;
      case URI -> "a URI of printable ASCII characters without spaces";
      case JSON -> "JSON text";
    };
  }
}
