package dev.sotto.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts an incoming XMPP stream into its top-level pieces: the stream header ({@code <stream:stream
 * ...>}), each complete stanza (a child of the stream), and the closing {@code </stream:stream>}.
 * It counts tag depth only, so it is cheap: the content of each piece is read later with {@link
 * Xml}. Quoted attribute values may hold {@code >}; the XML declaration is skipped. After a stream
 * restart (STARTTLS, SASL success) call {@link #reset()}.
 */
public final class XmppStreamSplitter {
  private final int maxStanza;
  private byte[] buf = new byte[8192];
  private int len;
  private int pos;
  private int depth;
  private int tagStart = -1;
  private int stanzaStart = -1;
  private byte quote;
  private int generation;

  /**
   * @param maxStanza the longest piece accepted, in bytes (the stream is broken beyond it)
   */
  public XmppStreamSplitter(int maxStanza) {
    if (maxStanza < 64) {
      throw new IllegalArgumentException("expected maxStanza >= 64, got " + maxStanza);
    }
    this.maxStanza = maxStanza;
  }

  /**
   * Forgets everything: the next bytes start a new stream. May be called from the consumer inside
   * {@link #feed}: the rest of that feed is dropped (after STARTTLS the rest would be TLS).
   */
  public void reset() {
    generation++;
    len = 0;
    pos = 0;
    depth = 0;
    tagStart = -1;
    stanzaStart = -1;
    quote = 0;
  }

  /**
   * Feeds bytes and hands each piece completed by them to {@code out}, in order.
   *
   * @throws IllegalStateException if a piece grows beyond the limit or tags do not balance
   */
  public void feed(byte[] data, int off, int n, Consumer<String> out) {
    ensure(n);
    System.arraycopy(data, off, buf, len, n);
    len += n;
    int fed = generation;
    while (pos < len) {
      byte b = buf[pos];
      if (tagStart < 0) {
        if (b == '<') {
          tagStart = pos;
        }
        pos++;
        continue;
      }
      if (quote != 0) {
        if (b == quote) {
          quote = 0;
        }
        pos++;
        continue;
      }
      if ((b == '"' || b == '\'') && pos > tagStart + 1 && buf[tagStart + 1] != '!') {
        quote = b;
        pos++;
        continue;
      }
      if (b != '>') {
        pos++;
        continue;
      }
      int end = pos + 1;
      byte first = buf[tagStart + 1];
      if (first == '?' || first == '!') {
        // XML declaration or comment: skipped.
      } else if (first == '/') {
        depth--;
        if (depth == 1) {
          emit(stanzaStart, end, out);
          stanzaStart = -1;
        } else if (depth == 0) {
          emit(tagStart, end, out);
        } else if (depth < 0) {
          throw new IllegalStateException("closing tag without an open element");
        }
      } else if (buf[pos - 1] == '/') {
        if (depth <= 1) {
          emit(tagStart, end, out);
        }
      } else {
        if (depth == 0) {
          emit(tagStart, end, out);
        } else if (depth == 1) {
          stanzaStart = tagStart;
        }
        depth++;
      }
      if (generation != fed) {
        return; // reset by the consumer
      }
      tagStart = -1;
      pos = end;
    }
    int keepFrom = stanzaStart >= 0 ? stanzaStart : tagStart >= 0 ? tagStart : pos;
    if (len - keepFrom > maxStanza) {
      throw new IllegalStateException("a stanza longer than " + maxStanza + " bytes");
    }
    if (keepFrom > 0) {
      System.arraycopy(buf, keepFrom, buf, 0, len - keepFrom);
      len -= keepFrom;
      pos -= keepFrom;
      if (stanzaStart >= 0) {
        stanzaStart -= keepFrom;
      }
      if (tagStart >= 0) {
        tagStart -= keepFrom;
      }
    }
  }

  private void emit(int from, int to, Consumer<String> out) {
    out.accept(new String(buf, from, to - from, StandardCharsets.UTF_8));
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }
}
