package io.portico.spi.plugin;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The reason phrase of every status the gateway answers with, as RFC 9110 names it, so that an
 * answer's status line, its problem {@code title} and the docs use the same words. Netty's
 * constants carry older names for a few codes ({@code 413 Request Entity Too Large}, {@code 414
 * Request-URI Too Long}, {@code 416 Requested Range Not Satisfiable}, {@code 422 Unprocessable
 * Entity}, {@code 425 Unordered Collection}); the gateway's own answers and every {@link Reply} use
 * the statuses returned here instead ({@code 413 Content Too Large}, {@code 414 URI Too Long},
 * {@code 416 Range Not Satisfiable}, {@code 422 Unprocessable Content}, {@code 425 Too Early}), and
 * {@code 499 Client Closed Request} for a client that left (the access log's, never sent).
 *
 * <p>Immutable and shared: the statuses are made once.
 */
public final class StatusReasons {

  private static final HttpResponseStatus[] STATUSES = new HttpResponseStatus[500];

  static {
    for (int code = 100; code < 600; code++) {
      String reason =
          switch (code) {
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 416 -> "Range Not Satisfiable";
            case 422 -> "Unprocessable Content";
            case 425 -> "Too Early";
            case 499 -> "Client Closed Request";
            default -> HttpResponseStatus.valueOf(code).reasonPhrase();
          };
      // valueOf(code, reason) is Netty's own constant when the reason is Netty's.
      STATUSES[code - 100] = HttpResponseStatus.valueOf(code, reason);
    }
  }

  private StatusReasons() {}

  /** The status {@code code} with its RFC 9110 reason phrase; outside 100 to 599, Netty's. */
  public static HttpResponseStatus status(int code) {
    return code >= 100 && code < 600 ? STATUSES[code - 100] : HttpResponseStatus.valueOf(code);
  }

  /** The RFC 9110 reason phrase of {@code code}: {@code Content Too Large} for 413. */
  public static String reason(int code) {
    return status(code).reasonPhrase();
  }

  /**
   * {@code status} with its RFC 9110 reason phrase when its phrase is Netty's default for its code
   * (a status made with a reason of its own, such as an upstream's, is returned as it is).
   */
  public static HttpResponseStatus standard(HttpResponseStatus status) {
    int code = status.code();
    if (code < 100 || code >= 600) {
      return status;
    }
    return status.reasonPhrase().equals(HttpResponseStatus.valueOf(code).reasonPhrase())
        ? STATUSES[code - 100]
        : status;
  }

  /**
   * The title of a problem answered with {@code status}: {@code title} itself, unless it is a name
   * an earlier RFC or Netty gave the code ({@code Payload Too Large}, {@code Request Entity Too
   * Large}), which becomes the RFC 9110 reason phrase, as in the status line.
   */
  public static String title(HttpResponseStatus status, String title) {
    int code = status.code();
    if (code < 100 || code >= 600 || title.equals(reason(code))) {
      return title;
    }
    boolean older =
        title.equals(HttpResponseStatus.valueOf(code).reasonPhrase())
            || (code == 413 && title.equals("Payload Too Large"))
            || (code == 422 && title.equals("Unprocessable Entity"));
    return older ? reason(code) : title;
  }
}
