package dev.sotto.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class XmlTest {
  @Test
  void escape_allFiveSpecials() {
    assertThat(Xml.escape("a&b<c>d\"e'f")).isEqualTo("a&amp;b&lt;c&gt;d&quot;e&apos;f");
    assertThat(Xml.escape("plain")).isSameAs("plain");
  }

  @Test
  void unescape_roundTripsEscape() {
    String s = "<x a='1'> & \"q\" ü";
    assertThat(Xml.unescape(Xml.escape(s))).isEqualTo(s);
    assertThat(Xml.unescape("&#65;&#x42;&#x1F600;")).isEqualTo("AB\uD83D\uDE00");
  }

  @Test
  void unescape_unknownEntity_rejected() {
    assertThatThrownBy(() -> Xml.unescape("a &nbsp; b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Xml.unescape("a & b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void attribute_eitherQuoteStyle_unescaped() {
    String m = "<message from='u1@localhost/r' to=\"u0@localhost\" id='a&amp;b' type='chat'>";
    assertThat(Xml.attribute(m, "from")).isEqualTo("u1@localhost/r");
    assertThat(Xml.attribute(m, "to")).isEqualTo("u0@localhost");
    assertThat(Xml.attribute(m, "id")).isEqualTo("a&b");
    assertThat(Xml.attribute(m, "xml:lang")).isNull();
  }

  @Test
  void attribute_nameInsideAnotherValue_notConfused() {
    String m = "<message data=\" id='no' \" id='yes'/>";
    assertThat(Xml.attribute(m, "id")).isEqualTo("yes");
  }

  @Test
  void attribute_onlyStartTagSearched() {
    assertThat(Xml.attribute("<message><body id='x'/></message>", "id")).isNull();
  }

  @Test
  void name_withPrefix() {
    assertThat(Xml.name("<stream:features><starttls/></stream:features>"))
        .isEqualTo("stream:features");
    assertThat(Xml.name("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")).isEqualTo("proceed");
  }

  @Test
  void childText_readsAndUnescapesFirstMatchingChild() {
    String m =
        "<message id='1'><bodyx>no</bodyx><body>QUJD&amp;</body><body>second</body></message>";
    assertThat(Xml.childText(m, "body")).isEqualTo("QUJD&");
    assertThat(Xml.childText("<message><body/></message>", "body")).isEmpty();
    assertThat(Xml.childText("<message><thread>t</thread></message>", "body")).isNull();
  }
}
