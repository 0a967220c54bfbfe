package dev.sotto.client.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.sotto.client.tui.model.InMemoryChatModel;
import dev.sotto.client.tui.model.LoginController;
import dev.sotto.client.tui.model.LoginRequest;
import dev.sotto.client.tui.model.LoginResult;
import dev.sotto.client.tui.model.Presence;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TuiAppTest {

  /** Prints to the console during login, as a misconfigured library would. */
  private static final class NoisyLogin implements LoginController {
    @Override
    public String lastServer() {
      return "chat.lan:7777";
    }

    @Override
    public String lastUsername() {
      return "alice";
    }

    @Override
    public CompletableFuture<LoginResult> login(LoginRequest request) {
      System.out.println("NOISE-OUT");
      System.err.println("NOISE-ERR");
      return CompletableFuture.completedFuture(new LoginResult.LoggedIn());
    }

    @Override
    public CompletableFuture<Void> trustServer(String host, int port, String fingerprint) {
      return CompletableFuture.completedFuture(null);
    }
  }

  private static String screenText(DefaultVirtualTerminal t) {
    StringBuilder sb = new StringBuilder();
    TerminalSize s = t.getTerminalSize();
    for (int r = 0; r < s.getRows(); r++) {
      for (int c = 0; c < s.getColumns(); c++) {
        sb.append(t.getCharacter(c, r).getCharacterString());
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static void waitFor(DefaultVirtualTerminal t, String text) throws InterruptedException {
    long end = System.nanoTime() + 5_000_000_000L;
    while (!screenText(t).contains(text)) {
      assertThat(System.nanoTime()).as("waiting for '%s'", text).isLessThan(end);
      Thread.sleep(10);
    }
  }

  @Test
  void run_loginChatExit_returnsAndKeepsConsoleOffTheScreen() throws Exception {
    DefaultVirtualTerminal terminal = new DefaultVirtualTerminal(new TerminalSize(80, 24));
    InMemoryChatModel model = new InMemoryChatModel("alice", "chat.lan:7777", Clock.systemUTC());
    model.addConversation("bob", Presence.ONLINE);
    PrintStream realOut = System.out;
    PrintStream realErr = System.err;
    ByteArrayOutputStream errSink = new ByteArrayOutputStream();
    PrintStream testErr = new PrintStream(errSink, true, StandardCharsets.UTF_8);
    System.setErr(testErr);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try {
      Thread ui =
          new Thread(
              () -> {
                try {
                  TuiApp.run(terminal, model, new NoisyLogin(), TuiConfig.defaults());
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
      ui.start();
      waitFor(terminal, "Password");
      for (char c : "password123".toCharArray()) {
        terminal.addInput(new KeyStroke(c, false, false));
      }
      terminal.addInput(new KeyStroke(KeyType.Enter));
      waitFor(terminal, "alice@chat.lan:7777");
      for (char c : "hello".toCharArray()) {
        terminal.addInput(new KeyStroke(c, false, false));
      }
      terminal.addInput(new KeyStroke(KeyType.Enter));
      waitFor(terminal, "alice │ hello");
      assertThat(screenText(terminal)).doesNotContain("NOISE");
      for (char c : "!exit".toCharArray()) {
        terminal.addInput(new KeyStroke(c, false, false));
      }
      terminal.addInput(new KeyStroke(KeyType.Enter));
      ui.join(5000);
      assertThat(ui.isAlive()).isFalse();
    } finally {
      System.setErr(realErr);
    }
    assertThat(failure.get()).isNull();
    assertThat(model.calls()).contains("send bob hello");
    assertThat(System.out).isSameAs(realOut);
    String replayed = errSink.toString(StandardCharsets.UTF_8);
    assertThat(replayed)
        .contains("Output captured while the screen was up")
        .contains("NOISE-OUT")
        .contains("NOISE-ERR");
  }

  @Test
  void run_ctrlC_quits() throws Exception {
    DefaultVirtualTerminal terminal = new DefaultVirtualTerminal(new TerminalSize(80, 24));
    InMemoryChatModel model = new InMemoryChatModel("alice", "chat.lan:7777", Clock.systemUTC());
    Thread ui =
        new Thread(
            () -> {
              try {
                TuiApp.run(terminal, model, new NoisyLogin(), TuiConfig.defaults());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    ui.start();
    waitFor(terminal, "Password");
    terminal.addInput(new KeyStroke('c', true, false));
    ui.join(5000);
    assertThat(ui.isAlive()).isFalse();
  }
}
