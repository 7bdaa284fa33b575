package io.portico.template;

/** Literal text of a template, with {@code $${} already turned into {@code ${}. */
record Literal(String text) implements Part {}
