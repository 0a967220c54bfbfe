package dev.sotto.client.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The core package stays UI-free (DESIGN.md "Modules and direction"): no Lanterna import. */
class CoreIsUiFreeTest {

  @Test
  void coreSources_importNoLanternaAndWriteNothingToTheTerminal() throws IOException {
    Path core = Path.of("src/main/java/dev/sotto/client/core");
    assertThat(core).isDirectory();
    List<Path> sources;
    try (Stream<Path> s = Files.walk(core)) {
      sources = s.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertThat(sources).hasSizeGreaterThan(30);
    for (Path p : sources) {
      String text = Files.readString(p);
      assertThat(text).as(p.toString()).doesNotContain("com.googlecode.lanterna");
      assertThat(text).as(p.toString()).doesNotContain("System.out").doesNotContain("System.err");
    }
  }
}
