package dev.sotto.client.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.input.DefaultKeyDecodingProfile;
import com.googlecode.lanterna.input.InputDecoder;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeysTest {

  @Test
  void bracketedPaste_decodedAroundPastedText() throws Exception {
    InputDecoder d = new InputDecoder(new StringReader("\u001b[200~hi\ryou\u001b[201~x"));
    d.addProfile(new DefaultKeyDecodingProfile());
    d.addProfile(Keys::pastePatterns);
    List<String> seen = new ArrayList<>();
    KeyStroke k;
    while ((k = d.getNextCharacter(false)) != null && k.getKeyType() != KeyType.EOF) {
      seen.add(
          k instanceof Keys.PasteMarker
              ? k.toString()
              : k.getKeyType() == KeyType.Character
                  ? String.valueOf(k.getCharacter())
                  : k.getKeyType().name());
    }
    assertThat(seen)
        .containsExactly("PasteStart", "h", "i", "Enter", "y", "o", "u", "PasteEnd", "x");
  }

  @Test
  void chordOf_mapsModifiersAndNamedKeys() {
    assertThat(Keys.chordOf(new KeyStroke('N', true, false), false)).isEqualTo(KeyChord.ctrl("n"));
    assertThat(Keys.chordOf(new KeyStroke('1', false, false), true)).isEqualTo(KeyChord.alt("1"));
    assertThat(Keys.chordOf(new KeyStroke(KeyType.Enter, false, true), false))
        .isEqualTo(KeyChord.alt("Enter"));
    assertThat(Keys.chordOf(new KeyStroke(KeyType.PageUp), false)).isEqualTo(KeyChord.of("PageUp"));
    assertThat(Keys.chordOf(new KeyStroke(KeyType.MouseEvent), false)).isNull();
  }
}
