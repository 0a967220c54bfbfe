package dev.sotto.client.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.sotto.client.tui.model.LoginController;
import dev.sotto.client.tui.model.LoginRequest;
import dev.sotto.client.tui.model.LoginResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The start screen: server, username, password (never echoed), log in or register, an invite code
 * when the server asks for one, the first-use fingerprint prompt and the changed-certificate
 * warning. Talks only to {@link LoginController}. UI thread only.
 */
final class LoginView {

  enum Field {
    SERVER,
    USERNAME,
    PASSWORD,
    INVITE,
    ACTION
  }

  enum State {
    FORM,
    BUSY,
    FINGERPRINT,
    CHANGED
  }

  private final Ui ui;
  private final LoginController login;
  private final LineEditor server = new LineEditor();
  private final LineEditor username = new LineEditor();
  private final LineEditor password = new LineEditor();
  private final LineEditor invite = new LineEditor();
  private Field focus;
  private boolean register;
  private boolean inviteShown;
  private State state = State.FORM;
  private String error = "";
  private String info = "";
  private String fingerprint = "";
  private LoginResult.ServerKeyChanged changed;
  private String host = "";
  private int port;
  private char pendingHigh;

  LoginView(Ui ui, LoginController login) {
    this.ui = ui;
    this.login = login;
    server.setText(login.lastServer());
    username.setText(login.lastUsername());
    focus = server.isEmpty() ? Field.SERVER : username.isEmpty() ? Field.USERNAME : Field.PASSWORD;
  }

  State state() {
    return state;
  }

  /** Called when the view is shown again (after a logout). */
  void reset(String message) {
    password.clear();
    state = State.FORM;
    focus = Field.PASSWORD;
    error = "";
    info = message;
  }

  void handle(KeyStroke k) {
    switch (state) {
      case BUSY -> {}
      case FINGERPRINT -> handleFingerprint(k);
      case CHANGED -> {
        if (k.getKeyType() == KeyType.Escape || k.getKeyType() == KeyType.Enter) {
          state = State.FORM;
          error = "Not connected: the server's certificate changed.";
        }
      }
      case FORM -> handleForm(k);
    }
  }

  private void handleFingerprint(KeyStroke k) {
    if (k.getKeyType() != KeyType.Character) {
      if (k.getKeyType() == KeyType.Escape) {
        refuseServer();
      }
      return;
    }
    char c = Character.toLowerCase(k.getCharacter());
    if (c == 'y') {
      state = State.BUSY;
      info = "Remembering the server and logging in...";
      ui.onDone(
          login.trustServer(host, port, fingerprint),
          (v, e) -> {
            if (e != null) {
              state = State.FORM;
              error = Ui.message(e);
            } else {
              submit();
            }
          });
    } else if (c == 'n') {
      refuseServer();
    }
  }

  private void refuseServer() {
    state = State.FORM;
    info = "";
    error = "Server not accepted; nothing was sent to it.";
  }

  private List<Field> fields() {
    List<Field> f = new ArrayList<>(List.of(Field.SERVER, Field.USERNAME, Field.PASSWORD));
    if (inviteShown) {
      f.add(Field.INVITE);
    }
    f.add(Field.ACTION);
    return f;
  }

  private void move(int delta) {
    List<Field> f = fields();
    int i = f.indexOf(focus);
    focus = f.get(Math.floorMod(i + delta, f.size()));
  }

  private LineEditor editor() {
    return switch (focus) {
      case SERVER -> server;
      case USERNAME -> username;
      case PASSWORD -> password;
      case INVITE -> invite;
      case ACTION -> null;
    };
  }

  private void handleForm(KeyStroke k) {
    KeyType t = k.getKeyType();
    if (t == KeyType.Tab || t == KeyType.ArrowDown) {
      move(1);
      return;
    }
    if (t == KeyType.ReverseTab || t == KeyType.ArrowUp) {
      move(-1);
      return;
    }
    if (t == KeyType.Enter) {
      submitOrNext();
      return;
    }
    LineEditor ed = editor();
    if (ed == null) {
      if (t == KeyType.ArrowLeft
          || t == KeyType.ArrowRight
          || (t == KeyType.Character && k.getCharacter() == ' ')) {
        register = !register;
      }
      return;
    }
    if (Keys.isPlainCharacter(k)) {
      char c = k.getCharacter();
      if (Character.isHighSurrogate(c)) {
        pendingHigh = c;
        return;
      }
      String s = pendingHigh != 0 ? new String(new char[] {pendingHigh, c}) : String.valueOf(c);
      pendingHigh = 0;
      if (ed.text().length() < 256 || ed == password) {
        ed.insert(s);
      }
      return;
    }
    KeyChord chord = Keys.chordOf(k, false);
    if (chord == null) {
      return;
    }
    ui.config()
        .keys()
        .actionFor(chord)
        .ifPresent(
            a -> {
              switch (a) {
                case CHAR_LEFT -> ed.left();
                case CHAR_RIGHT -> ed.right();
                case LINE_START -> ed.home();
                case LINE_END -> ed.end();
                case WORD_LEFT -> ed.wordLeft();
                case WORD_RIGHT -> ed.wordRight();
                case DELETE_BACK -> ed.deleteBack();
                case DELETE_FORWARD -> ed.deleteForward();
                case KILL_WORD -> ed.killWordBack();
                case KILL_TO_START -> ed.killToStart();
                case KILL_TO_END -> ed.killToEnd();
                default -> {}
              }
            });
  }

  private void submitOrNext() {
    for (Field f : fields()) {
      LineEditor ed =
          switch (f) {
            case SERVER -> server;
            case USERNAME -> username;
            case PASSWORD -> password;
            case INVITE -> register ? invite : null;
            case ACTION -> null;
          };
      if (ed != null && ed.text().isBlank()) {
        if (focus == f) {
          error = fieldName(f) + " is empty.";
        }
        focus = f;
        return;
      }
    }
    submit();
  }

  private static String fieldName(Field f) {
    return switch (f) {
      case SERVER -> "Server";
      case USERNAME -> "Username";
      case PASSWORD -> "Password";
      case INVITE -> "Invite code";
      case ACTION -> "Action";
    };
  }

  private void submit() {
    String s = server.text().strip();
    int colon = s.lastIndexOf(':');
    int p = 7443; // the server's default port (ServerAddress.DEFAULT_PORT)
    String h = s;
    if (colon > 0) {
      h = s.substring(0, colon);
      try {
        p = Integer.parseInt(s.substring(colon + 1));
      } catch (NumberFormatException e) {
        p = -1;
      }
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.isEmpty() || p < 1 || p > 65535) {
      state = State.FORM;
      focus = Field.SERVER;
      error = "Server must be host:port, e.g. chat.lan:7443 (port 1-65535).";
      return;
    }
    host = h;
    port = p;
    char[] pw = password.text().toCharArray();
    LoginRequest req =
        new LoginRequest(
            h, p, username.text().strip(), pw, register, register ? invite.text().strip() : "");
    state = State.BUSY;
    error = "";
    info = (register ? "Registering at " : "Logging in to ") + h + ":" + p + "...";
    ui.onDone(
        login.login(req),
        (r, e) -> {
          Arrays.fill(pw, '\0');
          if (e != null) {
            state = State.FORM;
            info = "";
            error = Ui.message(e);
            return;
          }
          onResult(r);
        });
  }

  private void onResult(LoginResult r) {
    info = "";
    if (r instanceof LoginResult.LoggedIn) {
      password.clear();
      // The account exists now: after a logout the form offers "Log in".
      register = false;
      inviteShown = false;
      invite.clear();
      state = State.FORM;
      ui.showMain();
    } else if (r instanceof LoginResult.InviteRequired ir) {
      state = State.FORM;
      register = true;
      inviteShown = true;
      focus = Field.INVITE;
      error = ir.message();
    } else if (r instanceof LoginResult.Rejected rej) {
      state = State.FORM;
      focus = Field.PASSWORD;
      // The field shows nothing, so a kept password would silently prefix the one typed next.
      password.clear();
      error = rej.message();
    } else if (r instanceof LoginResult.UnknownServer us) {
      state = State.FINGERPRINT;
      fingerprint = us.fingerprint();
    } else if (r instanceof LoginResult.ServerKeyChanged ch) {
      state = State.CHANGED;
      changed = ch;
    }
  }

  /** Draws the screen; returns where the cursor goes, or null to hide it. */
  TerminalPosition draw(Painter p) {
    TerminalSize size = p.size();
    int w = size.getColumns();
    int h = size.getRows();
    p.clear();
    return switch (state) {
      case CHANGED -> drawChanged(p, w, h);
      case FINGERPRINT -> drawFingerprint(p, w, h);
      default -> drawForm(p, w, h);
    };
  }

  private TerminalPosition drawForm(Painter p, int w, int h) {
    p.fill(0, 0, w, 1, Style.TITLE);
    p.put(1, 0, "Sotto - end-to-end encrypted chat", Style.TITLE, w);
    int labelCol = Math.max(1, (w - 50) / 2);
    int fieldCol = labelCol + 15;
    int fieldWidth = Math.max(8, Math.min(36, w - fieldCol - 2));
    int row = Math.max(2, Math.min(4, h / 2 - 6));
    TerminalPosition cursor = null;
    for (Field f : fields()) {
      boolean focused = f == focus && state == State.FORM;
      if (f == Field.ACTION) {
        p.put(labelCol, row, (focused ? "> " : "  ") + "Action", Style.NORMAL, w);
        int c = p.put(fieldCol, row, "[ Log in ]", register ? Style.NORMAL : Style.SELECTED, w);
        p.put(c + 2, row, "[ Register ]", register ? Style.SELECTED : Style.NORMAL, w);
        row += 2;
        continue;
      }
      LineEditor ed =
          f == Field.SERVER
              ? server
              : f == Field.USERNAME ? username : f == Field.PASSWORD ? password : invite;
      p.put(labelCol, row, (focused ? "> " : "  ") + fieldName(f), Style.NORMAL, w);
      p.put(fieldCol - 1, row, "[", Style.NORMAL, w);
      p.put(fieldCol + fieldWidth, row, "]", Style.NORMAL, w + 1);
      if (f == Field.PASSWORD) {
        // Never echoed, not even as bullets: the length stays private too.
        if (focused) {
          cursor = new TerminalPosition(fieldCol, row);
        }
      } else {
        String shown = TextWidth.sanitize(ed.text()).replace('\n', ' ');
        int cursorCol = TextWidth.of(shown.substring(0, Math.min(ed.cursor(), shown.length())));
        int start = 0;
        while (cursorCol - TextWidth.of(shown.substring(0, start)) >= fieldWidth
            && start < shown.length()) {
          start += Character.charCount(shown.codePointAt(start));
        }
        String visible = shown.substring(start);
        p.put(fieldCol, row, visible, Style.NORMAL, fieldCol + fieldWidth);
        if (focused) {
          cursor =
              new TerminalPosition(
                  fieldCol + cursorCol - TextWidth.of(shown.substring(0, start)), row);
        }
      }
      row += 2;
    }
    row = Math.min(row, h - 4);
    if (state == State.BUSY) {
      p.put(labelCol, row, info, Style.SYSTEM, w);
      cursor = null;
    } else if (!error.isEmpty()) {
      drawWrapped(p, labelCol, row, w - labelCol - 1, "Error: " + error, Style.ERROR, 2);
    } else if (!info.isEmpty()) {
      drawWrapped(p, labelCol, row, w - labelCol - 1, info, Style.SYSTEM, 2);
    }
    p.fill(0, h - 1, w, 1, Style.STATUS);
    p.put(
        1,
        h - 1,
        "Tab/Up/Down move  Left/Right choose  Enter submits  Ctrl+C quits",
        Style.STATUS,
        w);
    return cursor;
  }

  private TerminalPosition drawFingerprint(Painter p, int w, int h) {
    p.fill(0, 0, w, 1, Style.TITLE);
    p.put(1, 0, "Sotto - new server", Style.TITLE, w);
    List<String> lines = new ArrayList<>();
    lines.add("First connection to " + host + ":" + port + ".");
    lines.add("");
    lines.add("The server's certificate fingerprint (SHA-256) is:");
    lines.add("");
    lines.add("  " + fingerprint);
    lines.add("");
    lines.add(
        "Compare it with the fingerprint the server's operator gives you (the server prints it"
            + " when it starts). If they differ, someone may be intercepting the connection.");
    lines.add("");
    lines.add("Accept and remember this server?  y = accept   n = refuse");
    drawLines(p, 2, 2, w - 4, h - 3, lines, Style.NORMAL);
    return null;
  }

  private TerminalPosition drawChanged(Painter p, int w, int h) {
    p.fill(0, 0, w, h, Style.BANNER);
    List<String> lines = new ArrayList<>();
    lines.add("WARNING: THE SERVER'S CERTIFICATE HAS CHANGED!");
    lines.add("");
    lines.add(
        "The server at "
            + host
            + ":"
            + port
            + " presented a different certificate than the one"
            + " remembered on first use. Someone may be intercepting the connection"
            + " (man in the middle), or the operator replaced the certificate.");
    lines.add("");
    lines.add("Remembered: " + changed.pinned());
    lines.add("Presented:  " + changed.presented());
    lines.add("");
    lines.add(
        "Nothing was sent. Ask the operator whether the certificate was replaced. Only then"
            + " remove the line for "
            + host
            + ":"
            + port
            + " from "
            + changed.knownServersFile()
            + " and connect again.");
    lines.add("");
    lines.add("Esc: back    Ctrl+C: quit");
    drawLines(p, 2, 1, w - 4, h - 1, lines, Style.BANNER);
    return null;
  }

  private static void drawLines(
      Painter p, int col, int row, int width, int maxRow, List<String> lines, Style style) {
    int r = row;
    for (String line : lines) {
      for (String part : TextWidth.wrap(TextWidth.sanitize(line), Math.max(1, width))) {
        if (r >= maxRow) {
          return;
        }
        p.put(col, r++, part, style, col + width);
      }
    }
  }

  private static void drawWrapped(
      Painter p, int col, int row, int width, String text, Style style, int maxLines) {
    List<String> parts = TextWidth.wrap(TextWidth.sanitize(text), Math.max(1, width));
    for (int i = 0; i < parts.size() && i < maxLines; i++) {
      p.put(col, row + i, parts.get(i), style, col + width);
    }
  }
}
