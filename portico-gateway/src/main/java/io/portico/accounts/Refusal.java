package io.portico.accounts;

/**
 * Why an account operation was refused, as the admin API answers it: an HTTP status, a problem type
 * (the last segment of its {@code type} URI) and a sentence for people.
 */
public record Refusal(int status, String type, String detail) {}
