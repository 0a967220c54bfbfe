package dev.sotto.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreArchiveTest {
  @TempDir Path tmp;

  @Test
  void writeThenExtract_sameFilesWithoutTheLock() throws Exception {
    Path store = tmp.resolve("store");
    Files.createDirectories(store.resolve("sub"));
    Files.write(store.resolve("journal.log"), new byte[] {1, 2, 3});
    Files.write(store.resolve("sub/state.db"), new byte[] {4});
    Files.write(store.resolve("LOCK"), new byte[] {9});
    Path file = tmp.resolve("x.sotto");
    StoreArchive.write(store, file, "chat.lan:7443", "alice");
    assertThat(StoreArchive.manifest(file).getProperty("user")).isEqualTo("alice");
    assertThat(StoreArchive.manifest(file).getProperty("server")).isEqualTo("chat.lan:7443");

    Path target = tmp.resolve("other/store");
    StoreArchive.extract(file, target);
    assertThat(Files.readAllBytes(target.resolve("journal.log"))).containsExactly(1, 2, 3);
    assertThat(Files.readAllBytes(target.resolve("sub/state.db"))).containsExactly(4);
    assertThat(target.resolve("LOCK")).doesNotExist();
  }

  @Test
  void extract_existingStore_refusedAndUntouched() throws Exception {
    Path store = tmp.resolve("store");
    Files.createDirectories(store);
    Files.write(store.resolve("journal.log"), new byte[] {1});
    Path file = tmp.resolve("x.sotto");
    StoreArchive.write(store, file, "s:1", "alice");
    assertThatThrownBy(() -> StoreArchive.extract(file, store))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readAllBytes(store.resolve("journal.log"))).containsExactly(1);
  }

  @Test
  void extract_entryEscapingTheStore_refusedAndNothingLeft() throws Exception {
    Path file = tmp.resolve("evil.sotto");
    try (OutputStream out = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(StoreArchive.MANIFEST));
      zip.write("format=1\nserver=s:1\nuser=alice\n".getBytes());
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("store/../../escaped"));
      zip.write(1);
      zip.closeEntry();
    }
    Path target = tmp.resolve("a/b/store");
    assertThatThrownBy(() -> StoreArchive.extract(file, target))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("outside");
    assertThat(target).doesNotExist();
    assertThat(tmp.resolve("a/escaped")).doesNotExist();
    assertThat(tmp.resolve("escaped")).doesNotExist();
  }

  @Test
  void manifest_notAnExport_refused() throws Exception {
    Path file = tmp.resolve("plain.zip");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      zip.putNextEntry(new ZipEntry("hello.txt"));
      zip.closeEntry();
    }
    assertThatThrownBy(() -> StoreArchive.manifest(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a Sotto export");
  }

  @Test
  void json_escapesQuotesControlsAndKeepsNumbers() {
    String j = Json.of("message").put("text", "a\"b\\c\nd\u0001").put("seq", 7).toString();
    assertThat(j).isEqualTo("{\"type\":\"message\",\"text\":\"a\\\"b\\\\c\\nd\\u0001\",\"seq\":7}");
  }
}
