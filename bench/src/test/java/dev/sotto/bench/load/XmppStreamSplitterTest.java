package dev.sotto.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class XmppStreamSplitterTest {
  private static final String HEADER =
      "<?xml version='1.0'?><stream:stream id='42' xmlns='jabber:client'"
          + " xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
  private static final String FEATURES =
      "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
          + "</stream:features>";
  private static final String MESSAGE =
      "<message to='u0@localhost' from='u1@localhost/b' id='m>1' type='chat'>"
          + "<body>AAEC/w==</body></message>";
  private static final String PROCEED = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";

  private static List<String> split(XmppStreamSplitter s, String text) {
    List<String> out = new ArrayList<>();
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    s.feed(b, 0, b.length, out::add);
    return out;
  }

  @Test
  void feed_wholeStream_yieldsHeaderStanzasAndClose() {
    String all = HEADER + FEATURES + "\n" + MESSAGE + PROCEED + "</stream:stream>";
    List<String> pieces = split(new XmppStreamSplitter(4096), all);
    assertThat(pieces)
        .containsExactly(
            HEADER.substring(HEADER.indexOf("<stream:stream")),
            FEATURES,
            MESSAGE,
            PROCEED,
            "</stream:stream>");
  }

  @Test
  void feed_seededRandomChunking_sameResultAsOneChunk() {
    String all = HEADER + FEATURES + MESSAGE + MESSAGE + PROCEED + MESSAGE;
    byte[] bytes = all.getBytes(StandardCharsets.UTF_8);
    List<String> expected = split(new XmppStreamSplitter(4096), all);
    Random random = new Random(7);
    for (int trial = 0; trial < 300; trial++) {
      XmppStreamSplitter s = new XmppStreamSplitter(4096);
      List<String> got = new ArrayList<>();
      int off = 0;
      while (off < bytes.length) {
        int n = Math.min(bytes.length - off, 1 + random.nextInt(40));
        s.feed(bytes, off, n, got::add);
        off += n;
      }
      assertThat(got).isEqualTo(expected);
    }
  }

  @Test
  void feed_quotedGreaterThan_doesNotEndTag() {
    List<String> pieces = split(new XmppStreamSplitter(4096), HEADER + MESSAGE);
    assertThat(pieces.get(1)).isEqualTo(MESSAGE);
    assertThat(Xml.attribute(pieces.get(1), "id")).isEqualTo("m>1");
  }

  @Test
  void reset_afterRestart_acceptsNewHeader() {
    XmppStreamSplitter s = new XmppStreamSplitter(4096);
    assertThat(split(s, HEADER + PROCEED)).hasSize(2);
    s.reset();
    assertThat(split(s, HEADER + FEATURES)).hasSize(2).last().isEqualTo(FEATURES);
  }

  @Test
  void reset_fromInsideConsumer_dropsRestOfFeed() {
    XmppStreamSplitter s = new XmppStreamSplitter(4096);
    List<String> got = new ArrayList<>();
    byte[] b =
        (HEADER + PROCEED + "\u0016\u0003\u0001 not xml <<").getBytes(StandardCharsets.UTF_8);
    s.feed(
        b,
        0,
        b.length,
        piece -> {
          got.add(piece);
          if (piece.equals(PROCEED)) {
            s.reset();
          }
        });
    assertThat(got).hasSize(2).last().isEqualTo(PROCEED);
    assertThat(split(s, HEADER + FEATURES)).hasSize(2).last().isEqualTo(FEATURES);
  }

  @Test
  void feed_oversizedStanza_rejected() {
    XmppStreamSplitter s = new XmppStreamSplitter(128);
    split(s, HEADER);
    assertThatThrownBy(() -> split(s, "<message><body>" + "A".repeat(200)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("longer than 128");
  }

  @Test
  void feed_unbalancedClose_rejected() {
    assertThatThrownBy(() -> split(new XmppStreamSplitter(4096), "</a></b>"))
        .isInstanceOf(IllegalStateException.class);
  }
}
