package io.portico.upstream;

import io.netty.handler.codec.CharSequenceValueConverter;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.util.AsciiString;
import java.util.Calendar;
import java.util.Date;
import java.util.function.BiConsumer;

/**
 * The storage of a decoded message's header map ({@link KeptHeaders}): Netty's {@link
 * DefaultHeaders}, with the hashing, value conversion and validators {@code DefaultHttpHeaders}
 * gives it, that keeps the entries of a map given back with its message and uses them again for
 * fields of the same name in the next message decoded into it.
 *
 * <p>An entry's name is fixed (Netty's entries hold it in a final field), so an entry is taken
 * again only for a name equal to its own, of the same class and case included: what the map holds
 * is exactly what a new entry would hold. Entries are kept only by {@link #recycle}, which the
 * codec calls when it decodes into a message its exchange gave back (nothing else can read the
 * message then, see {@link UpstreamCodec#recycle} and the client side's {@code
 * ClientCodec.recycle}); {@code clear} drops entries as Netty's map does, and an entry that {@code
 * remove} (or {@code set}) takes out is kept aside until then.
 *
 * <p>A field whose name and value the decoder already checked is added without the validators
 * ({@link #addChecked}): the plain head parsers' names are tokens and their values field content,
 * which is what they check, byte by byte, a second time.
 *
 * <p>One per message, used on its connection's event loop only.
 */
final class KeptHeaderEntries
    extends DefaultHeaders<CharSequence, CharSequence, KeptHeaderEntries> {

  /** Entries kept at most: a message with more fields makes new ones for the rest. */
  private static final int KEPT = 32;

  private final KeptEntry[] kept = new KeptEntry[KEPT];
  private int keptCount;

  /** Removed entries at most, kept for after the next {@link #recycle}. */
  private static final int REMOVED = 4;

  /**
   * Entries removed from the map since the last {@link #recycle} (a codec's map loses its {@code
   * Host} when the gateway writes another), taken again only after it, like the entries still in
   * the map.
   */
  private final KeptEntry[] removed = new KeptEntry[REMOVED];

  private int removedCount;

  /** Inside {@link #addChecked}: the validators are skipped. */
  private boolean checked;

  KeptHeaderEntries(
      NameValidator<CharSequence> nameValidator,
      ValueValidator<CharSequence> valueValidator,
      int sizeHint) {
    super(
        AsciiString.CASE_INSENSITIVE_HASHER,
        ValueConverter.INSTANCE,
        nameValidator,
        sizeHint,
        valueValidator);
  }

  /**
   * Adds a field whose name is a token and whose value is field content (visible ASCII, SP and HT,
   * not starting or ending with SP or HT), without checking them again.
   */
  void addChecked(CharSequence name, CharSequence value) {
    checked = true;
    try {
      add(name, value);
    } finally {
      checked = false;
    }
  }

  @Override
  protected void validateName(
      NameValidator<CharSequence> validator, boolean forAdd, CharSequence name) {
    if (!checked) {
      super.validateName(validator, forAdd, name);
    }
  }

  @Override
  protected void validateValue(
      ValueValidator<CharSequence> validator, CharSequence name, CharSequence value) {
    if (!checked) {
      super.validateValue(validator, name, value);
    }
  }

  /** Empties the map, keeping its entries for the next fields added. */
  void recycle() {
    keptCount = 0;
    for (HeaderEntry<CharSequence, CharSequence> e = head.after();
        e != head && keptCount < KEPT;
        e = e.after()) {
      if (e instanceof KeptEntry k) {
        kept[keptCount++] = k;
      }
    }
    for (int i = 0; i < removedCount; i++) {
      if (keptCount < KEPT) {
        kept[keptCount++] = removed[i];
      }
      removed[i] = null;
    }
    removedCount = 0;
    clear();
  }

  private void removedEntry(KeptEntry e) {
    if (removedCount < REMOVED) {
      removed[removedCount++] = e;
    }
  }

  /** The number of fields named {@code name}, without case. */
  int count(AsciiString name) {
    int n = 0;
    for (HeaderEntry<CharSequence, CharSequence> e = head.after(); e != head; e = e.after()) {
      if (AsciiString.contentEqualsIgnoreCase(e.getKey(), name)) {
        n++;
      }
    }
    return n;
  }

  /** Hands each field to {@code sink}, in order, without an iterator. */
  void forEachField(BiConsumer<CharSequence, CharSequence> sink) {
    for (HeaderEntry<CharSequence, CharSequence> e = head.after(); e != head; e = e.after()) {
      sink.accept(e.getKey(), e.getValue());
    }
  }

  @Override
  protected HeaderEntry<CharSequence, CharSequence> newHeaderEntry(
      int h, CharSequence name, CharSequence value, HeaderEntry<CharSequence, CharSequence> next) {
    for (int i = 0; i < keptCount; i++) {
      KeptEntry e = kept[i];
      if (e.hash() == h && e.getKey().getClass() == name.getClass() && e.getKey().equals(name)) {
        kept[i] = kept[--keptCount];
        kept[keptCount] = null;
        e.link(value, next, head);
        return e;
      }
    }
    KeptEntry e = new KeptEntry(this, h, name);
    e.link(value, next, head);
    return e;
  }

  /** An entry that can be linked into the map again after it was emptied. */
  private static final class KeptEntry extends HeaderEntry<CharSequence, CharSequence> {
    private final KeptHeaderEntries map;

    KeptEntry(KeptHeaderEntries map, int hash, CharSequence key) {
      super(hash, key);
      this.map = map;
    }

    @Override
    protected void remove() {
      super.remove();
      map.removedEntry(this);
    }

    int hash() {
      return hash;
    }

    /** Links this entry as the last of the map whose sentinel is {@code head}. */
    void link(
        CharSequence value,
        HeaderEntry<CharSequence, CharSequence> next,
        HeaderEntry<CharSequence, CharSequence> head) {
      this.value = value;
      this.next = next;
      this.after = head;
      this.before = head.before();
      pointNeighborsToThis();
    }
  }

  /** As {@code DefaultHttpHeaders} converts values: dates in HTTP's format, the rest as text. */
  private static final class ValueConverter extends CharSequenceValueConverter {
    static final ValueConverter INSTANCE = new ValueConverter();

    @Override
    public CharSequence convertObject(Object value) {
      if (value instanceof CharSequence text) {
        return text;
      }
      if (value instanceof Date date) {
        return DateFormatter.format(date);
      }
      if (value instanceof Calendar calendar) {
        return DateFormatter.format(calendar.getTime());
      }
      return value.toString();
    }
  }
}
