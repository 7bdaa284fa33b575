package io.portico.template;

/** One piece of a compiled template: literal text or a variable ({@link Hole}). */
sealed interface Part permits Literal, Hole {}
