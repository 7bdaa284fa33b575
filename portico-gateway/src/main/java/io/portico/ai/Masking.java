package io.portico.ai;

import io.portico.config.AiRouteOptions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks e-mail addresses and card numbers in message text before it leaves for a provider. A card
 * number is 13 to 19 digits, optionally grouped by spaces or dashes, that passes the Luhn check;
 * other digit runs (order numbers, phone numbers) are left alone. Immutable and thread-safe; counts
 * go to the caller's {@link Counts}, never the values.
 */
final class Masking {

  private static final Pattern EMAIL =
      Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
  private static final Pattern CARD =
      Pattern.compile("(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])");

  /** How many values one request had masked, by kind. */
  static final class Counts {
    int emails;
    int cards;

    int total() {
      return emails + cards;
    }
  }

  private final AiRouteOptions.Mask config;

  Masking(AiRouteOptions.Mask config) {
    this.config = config;
  }

  /** {@code text} with what the config asks masked; the same instance when nothing was. */
  String apply(String text, Counts counts) {
    String out = text;
    if (config.emails() && out.indexOf('@') >= 0) {
      Matcher m = EMAIL.matcher(out);
      StringBuilder b = null;
      int last = 0;
      while (m.find()) {
        if (b == null) {
          b = new StringBuilder(out.length());
        }
        b.append(out, last, m.start()).append(replacement("email", ""));
        last = m.end();
        counts.emails++;
      }
      if (b != null) {
        out = b.append(out, last, out.length()).toString();
      }
    }
    if (config.cards()) {
      Matcher m = CARD.matcher(out);
      StringBuilder b = null;
      int last = 0;
      while (m.find()) {
        String digits = m.group().replaceAll("[ -]", "");
        if (!luhn(digits)) {
          continue;
        }
        if (b == null) {
          b = new StringBuilder(out.length());
        }
        b.append(out, last, m.start())
            .append(replacement("card", digits.substring(digits.length() - 4)));
        last = m.end();
        counts.cards++;
      }
      if (b != null) {
        out = b.append(out, last, out.length()).toString();
      }
    }
    return out;
  }

  private String replacement(String kind, String last4) {
    return config.format().replace("{kind}", kind).replace("{last4}", last4);
  }

  /** Whether {@code digits} pass the Luhn check (mod 10). */
  static boolean luhn(String digits) {
    int sum = 0;
    boolean twice = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (twice) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      twice = !twice;
    }
    return sum % 10 == 0;
  }
}
