package dev.sotto.client.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.sotto.client.tui.model.Account;
import dev.sotto.client.tui.model.ChatItem;
import dev.sotto.client.tui.model.ChatModel;
import dev.sotto.client.tui.model.ConnectionState;
import dev.sotto.client.tui.model.Conversation;
import dev.sotto.client.tui.model.ModelChange;
import dev.sotto.client.tui.model.UserInfo;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The main screen, laid out like weechat: title bar, conversation list | message pane, status bar,
 * input line; with the user list and help overlays. Holds only view state (open conversation,
 * scroll, search, input); everything else is read from the {@link ChatModel} at each draw. UI
 * thread only.
 */
final class MainView {

  enum Mode {
    NORMAL,
    PASSWD_OLD,
    PASSWD_NEW,
    PASSWD_REPEAT,
    CONFIRM_RESET
  }

  /**
   * At most this many of the newest history items are laid out per frame (older ones only when a
   * search match or the "new messages" marker lies further back), so a long history costs the same
   * per key press as a short one.
   */
  static final int MAX_RENDERED = 2000;

  /** At most this many local notices are kept per conversation. */
  static final int MAX_NOTICES = 200;

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("EEE d MMM yyyy", Locale.ENGLISH);

  private final Ui ui;
  private final ChatModel model;
  private final Glyphs g;
  private final LineEditor editor = new LineEditor();
  private final Map<String, List<ChatItem.SystemLine>> notices = new HashMap<>();

  private String current;
  private boolean listFocus;
  private int listSelection;
  private int scroll;
  private int paneHeight = 10;
  private int markerUnread;
  private int markerIndex = -1;
  private String searchQuery = "";
  private List<Integer> matches = List.of();
  private int matchPos = -1;
  private int jumpToItem = -1;
  private Overlay overlay;
  private Mode mode = Mode.NORMAL;
  private char[] pwOld;
  private char[] pwNew;
  private boolean escPending;
  private boolean pasting;
  private char pendingHigh;
  private List<UserInfo> knownUsers = List.of();
  private String hint = "";
  private String lastRowsPeer;
  private int lastRowsWidth;
  private int lastTotalRows;

  /** The user list overlay or the help overlay. */
  private static final class Overlay {
    final boolean help;
    List<UserInfo> users; // null while loading
    int selection;
    int top;

    Overlay(boolean help) {
      this.help = help;
    }
  }

  MainView(Ui ui, ChatModel model) {
    this.ui = ui;
    this.model = model;
    this.g = ui.config().glyphs();
  }

  // ---- state for tests and the app

  String current() {
    return current;
  }

  Mode mode() {
    return mode;
  }

  LineEditor editor() {
    return editor;
  }

  boolean isPasting() {
    return pasting;
  }

  /** Called when the main screen is shown (after login). */
  void enter() {
    List<Conversation> convs = model.conversations();
    if (current == null && !convs.isEmpty()) {
      open(convs.get(0).peer());
    }
  }

  /** Reacts to a model change (on the UI thread). */
  void onModelChange(ModelChange change) {
    if (change instanceof ModelChange.Arrived a) {
      boolean incoming =
          (a.item() instanceof ChatItem.Text t && !t.outgoing())
              || a.item() instanceof ChatItem.Undecryptable;
      if (!incoming) {
        return;
      }
      boolean onScreen = a.peer().equals(current) && scroll == 0 && overlay == null;
      if (onScreen) {
        model.markRead(current);
      } else if (ui.config().bell() && !isMuted(a.peer())) {
        ui.bell();
      }
    } else if (change instanceof ModelChange.MessagesChanged m && m.peer().equals(current)) {
      computeMarker();
    } else if (change instanceof ModelChange.Notice n) {
      notice(n.text());
    }
  }

  private boolean isMuted(String peer) {
    return conversation(peer).map(Conversation::muted).orElse(false);
  }

  private Optional<Conversation> conversation(String peer) {
    if (peer == null) {
      return Optional.empty();
    }
    for (Conversation c : model.conversations()) {
      if (c.peer().equals(peer)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  // ---- keys

  void handle(KeyStroke k) {
    if (!(k instanceof Keys.PasteMarker)) {
      hint = "";
    }
    if (k instanceof Keys.PasteMarker pm) {
      pasting = pm.isStart();
      return;
    }
    if (pasting) {
      if (k.getKeyType() == KeyType.Enter) {
        editor.insert("\n");
      } else if (k.getKeyType() == KeyType.Tab) {
        editor.insert(" ");
      } else if (k.getKeyType() == KeyType.Character) {
        insertChar(k.getCharacter());
      }
      return;
    }
    if (overlay != null) {
      handleOverlay(k);
      return;
    }
    if (k.getKeyType() == KeyType.Escape && !k.isAltDown()) {
      if (mode != Mode.NORMAL) {
        cancelMode("Cancelled.");
      } else if (listFocus) {
        listFocus = false;
      } else {
        escPending = true;
      }
      return;
    }
    KeyChord chord = Keys.chordOf(k, escPending);
    escPending = false;
    if (chord == null) {
      return;
    }
    if (listFocus && handleListKey(k)) {
      return;
    }
    if (Keys.isPlainCharacter(k) && !chord.alt()) {
      listFocus = false;
      insertChar(k.getCharacter());
      return;
    }
    Optional<KeyAction> action = ui.config().keys().actionFor(chord);
    if (action.isEmpty() && Keys.isPlainCharacter(k)) {
      // Esc then a key with no Alt binding: the Esc was just Esc, type the character.
      listFocus = false;
      insertChar(k.getCharacter());
      return;
    }
    action.ifPresent(this::perform);
  }

  private void insertChar(char c) {
    if (Character.isHighSurrogate(c)) {
      pendingHigh = c;
      return;
    }
    if (pendingHigh != 0 && Character.isLowSurrogate(c)) {
      editor.insert(new String(new char[] {pendingHigh, c}));
    } else {
      editor.insert(String.valueOf(c));
    }
    pendingHigh = 0;
  }

  private boolean handleListKey(KeyStroke k) {
    List<Conversation> convs = model.conversations();
    switch (k.getKeyType()) {
      case ArrowUp -> listSelection = Math.max(0, listSelection - 1);
      case ArrowDown -> listSelection = Math.min(Math.max(0, convs.size() - 1), listSelection + 1);
      case Enter -> {
        if (listSelection < convs.size()) {
          open(convs.get(listSelection).peer());
        }
        listFocus = false;
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  private void perform(KeyAction a) {
    boolean secret =
        mode == Mode.PASSWD_OLD || mode == Mode.PASSWD_NEW || mode == Mode.PASSWD_REPEAT;
    switch (a) {
      case SUBMIT -> submit();
      case INSERT_NEWLINE -> {
        if (!secret) {
          editor.insert("\n");
        }
      }
      case NEXT_CONVERSATION -> step(1);
      case PREVIOUS_CONVERSATION -> step(-1);
      case NEXT_UNREAD -> nextUnread();
      case CONVERSATION_1,
          CONVERSATION_2,
          CONVERSATION_3,
          CONVERSATION_4,
          CONVERSATION_5,
          CONVERSATION_6,
          CONVERSATION_7,
          CONVERSATION_8,
          CONVERSATION_9 -> {
        int n = a.ordinal() - KeyAction.CONVERSATION_1.ordinal();
        List<Conversation> convs = model.conversations();
        if (n < convs.size()) {
          open(convs.get(n).peer());
        } else {
          hint = "no conversation " + (n + 1);
        }
      }
      case SCROLL_UP -> scroll += Math.max(1, paneHeight - 1);
      case SCROLL_DOWN -> {
        scroll = Math.max(0, scroll - Math.max(1, paneHeight - 1));
        if (scroll == 0 && current != null) {
          model.markRead(current);
        }
      }
      case HISTORY_PREVIOUS -> {
        if (!secret) {
          editor.historyPrev();
        }
      }
      case HISTORY_NEXT -> {
        if (!secret) {
          editor.historyNext();
        }
      }
      case CHAR_LEFT -> editor.left();
      case CHAR_RIGHT -> editor.right();
      case LINE_START -> editor.home();
      case LINE_END -> editor.end();
      case WORD_LEFT -> editor.wordLeft();
      case WORD_RIGHT -> editor.wordRight();
      case DELETE_BACK -> editor.deleteBack();
      case DELETE_FORWARD -> editor.deleteForward();
      case KILL_WORD -> editor.killWordBack();
      case KILL_TO_START -> editor.killToStart();
      case KILL_TO_END -> editor.killToEnd();
      case YANK -> editor.yank();
      case COMPLETE -> {
        if (!secret) {
          complete();
        }
      }
      case REDRAW -> ui.fullRedraw();
      case HELP -> overlay = new Overlay(true);
      case QUIT -> ui.quit();
    }
  }

  private void step(int delta) {
    List<Conversation> convs = model.conversations();
    if (convs.isEmpty()) {
      hint = "no conversations yet: !talk USER";
      return;
    }
    int i = indexOf(convs, current);
    int next = i < 0 ? 0 : Math.floorMod(i + delta, convs.size());
    open(convs.get(next).peer());
  }

  private void nextUnread() {
    List<Conversation> convs = model.conversations();
    int i = indexOf(convs, current);
    for (int d = 1; d <= convs.size(); d++) {
      Conversation c = convs.get(Math.floorMod(i + d, convs.size()));
      if (c.unread() > 0 && !c.peer().equals(current)) {
        open(c.peer());
        return;
      }
    }
    hint = "no unread messages";
  }

  private static int indexOf(List<Conversation> convs, String peer) {
    for (int i = 0; i < convs.size(); i++) {
      if (convs.get(i).peer().equals(peer)) {
        return i;
      }
    }
    return -1;
  }

  /** Opens a conversation: loads its history, places the "new messages" marker, marks it read. */
  void open(String peer) {
    listFocus = false;
    if (peer.equals(current)) {
      scroll = 0;
      return;
    }
    current = peer;
    scroll = 0;
    clearSearch();
    markerUnread = conversation(peer).map(Conversation::unread).orElse(0);
    markerIndex = -1;
    computeMarker();
    String opened = peer;
    ui.onDone(
        model.openConversation(peer),
        (v, e) -> {
          if (e != null) {
            notice(opened, "Cannot open the conversation with " + opened + ": " + Ui.message(e));
          } else if (opened.equals(current)) {
            computeMarker();
            model.markRead(opened);
          }
        });
  }

  private void computeMarker() {
    if (current == null || markerUnread <= 0 || markerIndex >= 0) {
      return;
    }
    List<ChatItem> items = model.messages(current);
    if (items.isEmpty()) {
      return;
    }
    int seen = 0;
    int i = items.size() - 1;
    for (; i >= 0; i--) {
      ChatItem it = items.get(i);
      if ((it instanceof ChatItem.Text t && !t.outgoing())
          || it instanceof ChatItem.Undecryptable) {
        seen++;
        if (seen == markerUnread) {
          break;
        }
      }
    }
    markerIndex = Math.max(0, i);
  }

  private void cancelMode(String message) {
    wipePasswords();
    mode = Mode.NORMAL;
    editor.clear();
    notice(message);
  }

  private void wipePasswords() {
    if (pwOld != null) {
      Arrays.fill(pwOld, '\0');
    }
    if (pwNew != null) {
      Arrays.fill(pwNew, '\0');
    }
    pwOld = null;
    pwNew = null;
  }

  // ---- submit and commands

  private void submit() {
    switch (mode) {
      case PASSWD_OLD -> {
        pwOld = editor.submitSecret().toCharArray();
        mode = Mode.PASSWD_NEW;
      }
      case PASSWD_NEW -> {
        char[] n = editor.submitSecret().toCharArray();
        if (n.length < 10) {
          Arrays.fill(n, '\0');
          notice("The new password must have at least 10 characters; type it again (Esc cancels).");
          return;
        }
        pwNew = n;
        mode = Mode.PASSWD_REPEAT;
      }
      case PASSWD_REPEAT -> {
        char[] r = editor.submitSecret().toCharArray();
        boolean same = Arrays.equals(r, pwNew);
        Arrays.fill(r, '\0');
        mode = Mode.NORMAL;
        if (!same) {
          wipePasswords();
          notice("The passwords did not match; nothing changed. Type !passwd to try again.");
          return;
        }
        char[] o = pwOld;
        char[] n = pwNew;
        pwOld = null;
        pwNew = null;
        notice("Changing the password...");
        ui.onDone(
            model.changePassword(o, n),
            (v, e) -> {
              Arrays.fill(o, '\0');
              Arrays.fill(n, '\0');
              notice(e == null ? "Password changed." : "Password not changed: " + Ui.message(e));
            });
      }
      case CONFIRM_RESET -> {
        String answer = editor.submitSecret().strip();
        mode = Mode.NORMAL;
        if (!answer.equalsIgnoreCase("yes")) {
          notice("Keys not reset.");
          return;
        }
        ui.onDone(
            model.resetKeys(),
            (v, e) ->
                notice(
                    e == null
                        ? "New identity made. Your contacts will see a changed safety number."
                        : "Keys not reset: " + Ui.message(e)));
      }
      case NORMAL -> {
        Command c = CommandParser.parse(editor.text());
        if (execute(c)) {
          editor.submit();
        }
      }
    }
  }

  /** Runs a command; returns whether the input line is consumed (false keeps the typed text). */
  boolean execute(Command c) {
    if (c instanceof Command.Empty) {
      return false;
    } else if (c instanceof Command.Message m) {
      return sendTo(current, m.text(), false);
    } else if (c instanceof Command.SendTo s) {
      return sendTo(s.user(), s.text(), true);
    } else if (c instanceof Command.ListUsers) {
      Overlay o = new Overlay(false);
      overlay = o;
      ui.onDone(
          model.listUsers(),
          (users, e) -> {
            if (e != null) {
              if (overlay == o) {
                overlay = null;
              }
              notice("Cannot list users: " + Ui.message(e));
              return;
            }
            knownUsers = List.copyOf(users);
            o.users = knownUsers;
          });
    } else if (c instanceof Command.Talk t) {
      open(t.user());
    } else if (c instanceof Command.Back) {
      listFocus = true;
      listSelection = Math.max(0, indexOf(model.conversations(), current));
    } else if (c instanceof Command.Help) {
      overlay = new Overlay(true);
    } else if (c instanceof Command.Status s) {
      ui.onDone(
          model.setPresence(s.presence()),
          (v, e) ->
              notice(
                  e == null
                      ? "You are now " + s.presence().word() + "."
                      : "Presence not changed: " + Ui.message(e)));
    } else if (c instanceof Command.Block b) {
      return blockLike(b.user(), true);
    } else if (c instanceof Command.Unblock u) {
      return blockLike(u.user(), false);
    } else if (c instanceof Command.Mute m) {
      if (current == null) {
        notice("Open a conversation first, then !" + (m.muted() ? "mute" : "unmute") + ".");
        return true;
      }
      String peer = current;
      ui.onDone(
          model.setMuted(peer, m.muted()),
          (v, e) ->
              notice(
                  peer,
                  e != null
                      ? "Not changed: " + Ui.message(e)
                      : m.muted()
                          ? "Muted " + peer + ": no bell for this conversation."
                          : "Unmuted " + peer + "."));
    } else if (c instanceof Command.Receipts r) {
      ui.onDone(
          model.setReadReceipts(r.enabled()),
          (v, e) ->
              notice(
                  e != null
                      ? "Not changed: " + Ui.message(e)
                      : "Read receipts are " + (r.enabled() ? "on." : "off.")));
    } else if (c instanceof Command.Search s) {
      search(s.text());
    } else if (c instanceof Command.Verify v) {
      verify(v);
    } else if (c instanceof Command.Trust t) {
      ui.onDone(
          model.trust(t.user()),
          (v, e) ->
              notice(
                  t.user(),
                  e != null
                      ? "Not trusted: " + Ui.message(e)
                      : "You now trust " + t.user() + "'s new key; sending is allowed again."));
    } else if (c instanceof Command.ResetKeys) {
      mode = Mode.CONFIRM_RESET;
      notice(
          "!resetkeys makes a new identity: every contact will see a changed safety number and"
              + " must trust you again. Type yes to go on; anything else or Esc cancels.");
    } else if (c instanceof Command.Passwd) {
      mode = Mode.PASSWD_OLD;
    } else if (c instanceof Command.Logout) {
      ui.onDone(
          model.logout(),
          (v, e) -> {
            ui.showLogin();
          });
    } else if (c instanceof Command.Exit) {
      ui.quit();
    } else if (c instanceof Command.Invalid inv) {
      notice(inv.message());
    }
    return true;
  }

  private boolean sendTo(String peer, String text, boolean oneShot) {
    if (peer == null) {
      notice(
          "No conversation open: pick one with Alt+1..9 or Ctrl+N, or type !talk USER"
              + " (or @USER message).");
      return false;
    }
    Optional<Conversation> conv = conversation(peer);
    if (conv.isPresent() && conv.get().safetyNumberChanged()) {
      notice(
          "Not sent: "
              + peer
              + "'s safety number changed. Check it with !verify "
              + peer
              + ", then !trust "
              + peer
              + ".");
      return false;
    }
    if (!oneShot) {
      scroll = 0;
    }
    String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
    ui.onDone(
        model.send(peer, text),
        (v, e) -> {
          if (e != null) {
            notice(peer, "Not sent to " + peer + ": " + Ui.message(e));
            if (!oneShot && editor.isEmpty() && mode == Mode.NORMAL) {
              // Typed text is never lost: it comes back to the input line to send again.
              editor.setText(text);
            }
            if (oneShot && !peer.equals(current)) {
              notice("Not sent to " + peer + ": " + Ui.message(e));
            }
          } else if (oneShot && !peer.equals(current)) {
            notice("Sent to " + peer + ": " + shown.replace('\n', ' '));
          }
        });
    return true;
  }

  private boolean blockLike(Optional<String> user, boolean block) {
    String u = user.orElse(current);
    if (u == null) {
      notice("Usage: " + CommandParser.usageOf(block ? "block" : "unblock"));
      return true;
    }
    ui.onDone(
        block ? model.block(u) : model.unblock(u),
        (v, e) ->
            notice(
                e != null
                    ? (block ? "Not blocked: " : "Not unblocked: ") + Ui.message(e)
                    : block
                        ? "Blocked " + u + ". The server drops their messages; they are not told."
                        : "Unblocked " + u + "."));
    return true;
  }

  private void verify(Command.Verify v) {
    String user = v.user();
    if (v.digits().isEmpty()) {
      ui.onDone(
          model.safetyNumber(user),
          (num, e) -> {
            if (e != null) {
              notice("No safety number for " + user + ": " + Ui.message(e));
              return;
            }
            String[] groups = num.strip().split("\\s+");
            notice("Safety number with " + user + " (compare it with them in person or by phone):");
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < groups.length; i++) {
              line.append(groups[i]).append(' ');
              if (i % 6 == 5 || i == groups.length - 1) {
                notice("  " + line.toString().strip());
                line.setLength(0);
              }
            }
            notice("If it matches, type !trust " + user + " (or !verify " + user + " DIGITS).");
          });
      return;
    }
    ui.onDone(
        model.verify(user, v.digits().get()),
        (ok, e) ->
            notice(
                e != null
                    ? "Cannot verify " + user + ": " + Ui.message(e)
                    : ok
                        ? "The digits match: " + user + " is verified."
                        : "The digits DO NOT match "
                            + user
                            + "'s safety number. Do not trust"
                            + " this key until you know why."));
  }

  private void search(String text) {
    if (current == null) {
      notice("Open a conversation first, then !search TEXT.");
      return;
    }
    if (text.isEmpty()) {
      clearSearch();
      hint = "search cleared";
      return;
    }
    if (text.equalsIgnoreCase(searchQuery) && !matches.isEmpty()) {
      matchPos = matchPos <= 0 ? matches.size() - 1 : matchPos - 1;
      jumpToItem = matches.get(matchPos);
      return;
    }
    searchQuery = text;
    List<Integer> found = new ArrayList<>();
    List<ChatItem> items = model.messages(current);
    String q = text.toLowerCase(Locale.ROOT);
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) instanceof ChatItem.Text t
          && t.text().toLowerCase(Locale.ROOT).contains(q)) {
        found.add(i);
      }
    }
    matches = found;
    if (found.isEmpty()) {
      matchPos = -1;
      notice("No match for \"" + text + "\" in this conversation.");
      return;
    }
    matchPos = found.size() - 1;
    jumpToItem = found.get(matchPos);
  }

  private void clearSearch() {
    searchQuery = "";
    matches = List.of();
    matchPos = -1;
    jumpToItem = -1;
  }

  private void complete() {
    String word = editor.wordBeforeCursor();
    String before = editor.text().substring(0, editor.cursor() - word.length());
    List<String> options = new ArrayList<>();
    String prefix;
    String stem;
    if (before.isBlank() && (word.startsWith("!") || word.startsWith("/"))) {
      prefix = word.substring(0, 1);
      stem = word.substring(1).toLowerCase(Locale.ROOT);
      for (String n : CommandParser.names()) {
        if (n.startsWith(stem)) {
          options.add(n);
        }
      }
    } else {
      prefix = word.startsWith("@") ? "@" : "";
      stem = word.substring(prefix.length()).toLowerCase(Locale.ROOT);
      TreeSet<String> names = new TreeSet<>();
      model.conversations().forEach(c -> names.add(c.peer()));
      knownUsers.forEach(u -> names.add(u.username()));
      for (String n : names) {
        if (n.startsWith(stem)) {
          options.add(n);
        }
      }
    }
    if (options.isEmpty()) {
      hint = "no completion for '" + word + "'";
      return;
    }
    if (options.size() == 1) {
      editor.replaceWordBeforeCursor(prefix + options.get(0) + " ");
      return;
    }
    String common = options.get(0);
    for (String o : options) {
      int i = 0;
      while (i < common.length() && i < o.length() && common.charAt(i) == o.charAt(i)) {
        i++;
      }
      common = common.substring(0, i);
    }
    editor.replaceWordBeforeCursor(prefix + common);
    hint = String.join(" ", options);
  }

  /** Shows a line in the open conversation (or the home view). */
  void notice(String text) {
    notice(current, text);
  }

  private void notice(String peer, String text) {
    List<ChatItem.SystemLine> list =
        notices.computeIfAbsent(peer == null ? "" : peer, k -> new ArrayList<>());
    list.add(new ChatItem.SystemLine(text, ui.now()));
    if (java.util.Objects.equals(peer, current)) {
      scroll = 0; // a notice the user cannot see is no notice
    }
    if (list.size() > MAX_NOTICES) {
      list.remove(0);
    }
  }

  // ---- overlays

  private void handleOverlay(KeyStroke k) {
    Overlay o = overlay;
    KeyType t = k.getKeyType();
    boolean close =
        t == KeyType.Escape
            || (o.help && (t == KeyType.F1 || t == KeyType.Enter))
            || (o.help && t == KeyType.Character && k.getCharacter() == 'q');
    if (close) {
      overlay = null;
      return;
    }
    if (KeyChord.ctrl("c").equals(Keys.chordOf(k, false))) {
      ui.quit();
      return;
    }
    int size = o.help ? helpLines().size() : o.users == null ? 0 : o.users.size();
    int page = Math.max(1, paneHeight - 3);
    switch (t) {
      case ArrowUp -> o.selection = Math.max(0, o.selection - 1);
      case ArrowDown -> o.selection = Math.min(Math.max(0, size - 1), o.selection + 1);
      case PageUp -> o.selection = Math.max(0, o.selection - page);
      case PageDown -> o.selection = Math.min(Math.max(0, size - 1), o.selection + page);
      case Home -> o.selection = 0;
      case End -> o.selection = Math.max(0, size - 1);
      case Enter -> {
        if (!o.help && o.users != null && o.selection < o.users.size()) {
          overlay = null;
          open(o.users.get(o.selection).username());
        }
      }
      default -> {}
    }
  }

  private List<String> helpLines() {
    List<String> lines = new ArrayList<>();
    lines.add("Commands (! or /):");
    for (String[] c : CommandParser.COMMANDS) {
      lines.add("  " + TextWidth.pad(c[1], 26) + c[2]);
    }
    lines.add(
        "  " + TextWidth.pad("@USER TEXT", 26) + "send one message to USER without switching");
    lines.add("  " + TextWidth.pad("!!TEXT", 26) + "send text that starts with ! or /");
    lines.add("");
    lines.add("Keys (change them in $XDG_CONFIG_HOME/sotto/keys.conf, 'action = key'):");
    Map<KeyAction, List<KeyChord>> byAction = ui.config().keys().byAction();
    for (KeyAction a : KeyAction.values()) {
      List<KeyChord> keys = byAction.get(a);
      String k =
          keys == null
              ? "(unbound)"
              : String.join(", ", keys.stream().map(KeyChord::toString).toList());
      lines.add("  " + TextWidth.pad(k, 26) + a.description() + "  [" + a.configName() + "]");
    }
    lines.add("  " + TextWidth.pad("Esc then key", 26) + "same as Alt+key");
    lines.add("  " + TextWidth.pad("Up/Down, Enter", 26) + "move and open in the list after !back");
    lines.add("");
    lines.add(
        "Marks: "
            + g.sending()
            + " sending  "
            + g.stored()
            + " stored  "
            + g.delivered()
            + " delivered  "
            + g.read()
            + " read  "
            + g.failed()
            + " failed");
    lines.add(
        "Presence: "
            + g.online()
            + " online  "
            + g.away()
            + " away  "
            + g.dnd()
            + " dnd  "
            + g.offline().strip()
            + (g.offline().isBlank() ? "(blank)" : "")
            + " offline  "
            + g.muted()
            + " muted");
    return lines;
  }

  // ---- drawing

  /** Draws the main screen; returns where the cursor goes, or null to hide it. */
  TerminalPosition draw(Painter p) {
    TerminalSize size = p.size();
    int w = size.getColumns();
    int h = size.getRows();
    p.clear();
    if (w < 30 || h < 6) {
      p.put(0, 0, "Terminal too small (" + w + "x" + h + ");", Style.ERROR, w);
      p.put(0, 1, "need at least 30x6.", Style.ERROR, w);
      return null;
    }
    Account account = model.account();
    List<Conversation> convs = model.conversations();
    Optional<Conversation> conv = conversation(current);
    drawTitle(p, w, conv);
    int bodyTop = 1;
    int bodyHeight = h - 3;
    int listWidth = w >= 120 ? 24 : w >= 60 ? 16 : 0;
    if (listWidth > 0) {
      drawList(p, convs, listWidth, bodyTop, bodyHeight);
      for (int r = bodyTop; r < bodyTop + bodyHeight; r++) {
        p.put(listWidth, r, g.vertical(), Style.NORMAL, w);
      }
    }
    int paneCol = listWidth > 0 ? listWidth + 2 : 0;
    int paneWidth = w - paneCol;
    int paneRow = bodyTop;
    int paneH = bodyHeight;
    if (conv.isPresent() && conv.get().safetyNumberChanged()) {
      String banner =
          "! "
              + current
              + "'s safety number changed. Sending is blocked: check it with !verify "
              + current
              + ", then !trust "
              + current
              + ".";
      List<String> lines = TextWidth.wrap(banner, Math.max(1, paneWidth));
      for (int i = 0; i < lines.size() && i < 2; i++) {
        p.fill(paneCol, paneRow, paneWidth, 1, Style.BANNER);
        p.put(paneCol, paneRow, lines.get(i), Style.BANNER, w);
        paneRow++;
        paneH--;
      }
    }
    paneHeight = Math.max(1, paneH);
    drawMessages(p, account, paneCol, paneRow, paneWidth, paneHeight);
    drawStatus(p, account, convs, w, h - 2);
    TerminalPosition cursor = drawInput(p, conv, w, h - 1);
    if (overlay != null) {
      drawOverlay(p, w, bodyTop, bodyHeight);
      return null;
    }
    return cursor;
  }

  private void drawTitle(Painter p, int w, Optional<Conversation> conv) {
    p.fill(0, 0, w, 1, Style.TITLE);
    String title;
    if (conv.isPresent()) {
      Conversation c = conv.get();
      title =
          "Sotto "
              + g.vertical()
              + " "
              + c.peer()
              + " "
              + g.presence(c.presence()).strip()
              + " "
              + c.presence().word()
              + (c.muted() ? " (muted)" : "");
    } else if (current != null) {
      title = "Sotto " + g.vertical() + " " + current;
    } else {
      title =
          "Sotto " + g.vertical() + " !list shows users, !talk USER opens a conversation, F1 help";
    }
    p.put(1, 0, TextWidth.sanitize(title), Style.TITLE, w);
  }

  private void drawList(Painter p, List<Conversation> convs, int width, int top, int height) {
    int selected = listFocus ? listSelection : indexOf(convs, current);
    int first = 0;
    if (selected >= height) {
      first = selected - height + 1;
    }
    for (int i = first; i < convs.size() && i - first < height; i++) {
      Conversation c = convs.get(i);
      int row = top + i - first;
      String unread = c.unread() > 0 ? Integer.toString(Math.min(c.unread(), 999)) : "";
      String num = String.format(Locale.ROOT, "%2d", i + 1);
      String left = num + " " + g.presence(c.presence()) + " ";
      String mutedMark = c.muted() ? " " + g.muted() : "";
      int nameRoom = width - TextWidth.of(left) - TextWidth.of(mutedMark) - unread.length() - 1;
      String name = TextWidth.fit(c.peer(), Math.max(1, nameRoom));
      String line = left + name + mutedMark;
      line = TextWidth.pad(line, width - unread.length()) + unread;
      Style style = i == selected ? Style.SELECTED : c.unread() > 0 ? Style.UNREAD : Style.NORMAL;
      if (i == selected) {
        p.fill(0, row, width, 1, Style.SELECTED);
      }
      p.put(0, row, line, style, width);
    }
    if (convs.isEmpty() && height > 2) {
      p.put(0, top, " (no chats yet)", Style.SYSTEM, width);
      p.put(0, top + 1, " !list, !talk", Style.SYSTEM, width);
    }
  }

  /** One screen row of the message pane. */
  private record Row(List<Span> spans, int item) {}

  private record Span(String text, Style style) {}

  private void drawMessages(Painter p, Account account, int col, int row, int width, int height) {
    List<Row> rows = buildRows(account, width);
    int total = rows.size();
    if (scroll > 0
        && java.util.Objects.equals(current, lastRowsPeer)
        && width == lastRowsWidth
        && total > lastTotalRows) {
      scroll += total - lastTotalRows; // keep what the user scrolled to in place
    }
    lastRowsPeer = current;
    lastRowsWidth = width;
    lastTotalRows = total;
    int maxScroll = Math.max(0, total - height);
    if (jumpToItem >= 0) {
      int target = -1;
      for (int i = 0; i < rows.size(); i++) {
        if (rows.get(i).item() == jumpToItem) {
          target = i;
          break;
        }
      }
      if (target >= 0) {
        int start = Math.max(0, Math.min(target - height / 2, total - height));
        scroll = Math.max(0, total - height - start);
      }
      jumpToItem = -1;
    }
    scroll = Math.min(scroll, maxScroll);
    int start = Math.max(0, total - height - scroll);
    for (int i = 0; i < height && start + i < total; i++) {
      int c = col;
      for (Span s : rows.get(start + i).spans()) {
        c = p.put(c, row + i, s.text(), s.style(), col + width);
      }
    }
  }

  private List<Row> buildRows(Account account, int width) {
    List<Row> rows = new ArrayList<>();
    List<ChatItem> items = current == null ? List.of() : model.messages(current);
    List<ChatItem.SystemLine> local =
        notices.getOrDefault(current == null ? "" : current, List.of());
    if (current == null) {
      for (String line :
          TextWidth.wrap(
              "Welcome, "
                  + account.username()
                  + ". Pick a conversation with Alt+1..9 or Ctrl+N,"
                  + " or type !list to see who is here. F1 shows every command and key.",
              width)) {
        rows.add(new Row(List.of(new Span(line, Style.SYSTEM)), -1));
      }
    }
    int nickWidth =
        Math.max(
            3,
            Math.min(
                width < 50 ? 8 : 12,
                Math.max(
                    TextWidth.of(account.username()),
                    current == null ? 3 : TextWidth.of(current))));
    int prefixWidth = 5 + 1 + 2 + 1 + nickWidth + 3;
    int textWidth = Math.max(8, width - prefixWidth);
    String sep = " " + g.vertical() + " ";
    LocalDate lastDay = null;
    int mi = Math.max(0, items.size() - MAX_RENDERED);
    if (jumpToItem >= 0) {
      mi = Math.min(mi, jumpToItem);
    }
    if (markerIndex >= 0) {
      mi = Math.min(mi, markerIndex);
    }
    int li = 0;
    while (mi < items.size() || li < local.size()) {
      boolean takeModel =
          li >= local.size()
              || (mi < items.size() && !items.get(mi).time().isAfter(local.get(li).time()));
      ChatItem item = takeModel ? items.get(mi) : local.get(li);
      int index = takeModel ? mi : -1;
      if (takeModel) {
        mi++;
      } else {
        li++;
      }
      ZonedDateTime t = item.time().atZone(ui.config().zone());
      LocalDate day = t.toLocalDate();
      if (!day.equals(lastDay)) {
        rows.add(centered(" " + DAY.format(day) + " ", width, Style.SYSTEM, -1));
        lastDay = day;
      }
      if (index >= 0 && index == markerIndex) {
        rows.add(centered(" new messages ", width, Style.MARKER, -1));
      }
      String time = TIME.format(t);
      String tick = "  ";
      Style nickStyle = Style.NICK_OTHER;
      String nick;
      String text;
      Style textStyle = Style.NORMAL;
      if (item instanceof ChatItem.Text m) {
        nick = m.sender();
        text = m.text();
        if (m.outgoing()) {
          tick = TextWidth.pad(g.tick(m.state()), 2);
          nickStyle = Style.NICK_SELF;
          if (m.state() == dev.sotto.client.tui.model.DeliveryState.FAILED) {
            textStyle = Style.ERROR;
          }
        }
      } else if (item instanceof ChatItem.Gap gap) {
        nick = "-!-";
        nickStyle = Style.ERROR;
        text =
            gap.missing()
                + (gap.missing() == 1 ? " message is" : " messages are")
                + " missing here (the server did not deliver "
                + (gap.missing() == 1 ? "it" : "them")
                + ")";
        textStyle = Style.ERROR;
      } else if (item instanceof ChatItem.Undecryptable u) {
        nick = u.sender();
        text = "[this message could not be decrypted; a new session was requested]";
        textStyle = Style.ERROR;
      } else {
        ChatItem.SystemLine s = (ChatItem.SystemLine) item;
        nick = "--";
        nickStyle = Style.SYSTEM;
        text = s.text();
        textStyle = Style.SYSTEM;
      }
      String nickCell = TextWidth.fit(TextWidth.sanitize(nick), nickWidth);
      nickCell = " ".repeat(nickWidth - TextWidth.of(nickCell)) + nickCell;
      List<String> lines = TextWidth.wrap(TextWidth.sanitize(text), textWidth);
      for (int i = 0; i < lines.size(); i++) {
        List<Span> spans = new ArrayList<>();
        if (i == 0) {
          spans.add(new Span(time + " ", Style.TIME));
          spans.add(new Span(tick + " ", Style.NORMAL));
          spans.add(new Span(nickCell, nickStyle));
        } else {
          spans.add(new Span(" ".repeat(5 + 1 + 2 + 1 + nickWidth), Style.NORMAL));
        }
        spans.add(new Span(sep, Style.NORMAL));
        addHighlighted(spans, lines.get(i), textStyle, index >= 0 && item instanceof ChatItem.Text);
        rows.add(new Row(spans, index));
      }
    }
    return rows;
  }

  private void addHighlighted(List<Span> spans, String line, Style style, boolean searchable) {
    if (!searchable || searchQuery.isEmpty()) {
      spans.add(new Span(line, style));
      return;
    }
    String lower = line.toLowerCase(Locale.ROOT);
    String q = searchQuery.toLowerCase(Locale.ROOT);
    int from = 0;
    int at;
    while (lower.length() == line.length() && (at = lower.indexOf(q, from)) >= 0) {
      if (at > from) {
        spans.add(new Span(line.substring(from, at), style));
      }
      spans.add(new Span(line.substring(at, at + q.length()), Style.HIGHLIGHT));
      from = at + q.length();
    }
    if (from < line.length()) {
      spans.add(new Span(line.substring(from), style));
    }
  }

  private Row centered(String label, int width, Style style, int item) {
    int labelWidth = TextWidth.of(label);
    int side = Math.max(2, (width - labelWidth) / 2);
    String h = g.horizontal();
    String left = h.repeat(side);
    String right = h.repeat(Math.max(0, width - side - labelWidth));
    return new Row(List.of(new Span(left + label + right, style)), item);
  }

  private void drawStatus(Painter p, Account account, List<Conversation> convs, int w, int row) {
    p.fill(0, row, w, 1, Style.STATUS);
    String v = " " + g.vertical() + " ";
    StringBuilder sb = new StringBuilder(" ");
    sb.append(account.username()).append('@').append(account.server()).append(v);
    ConnectionState cs = model.connection();
    if (cs instanceof ConnectionState.Connected) {
      sb.append("connected");
    } else if (cs instanceof ConnectionState.Reconnecting r) {
      long ms = Duration.between(ui.now(), r.nextAttempt()).toMillis();
      long s = Math.max(0, (ms + 999) / 1000);
      sb.append(s > 0 ? "reconnecting in " + s + "s" : "reconnecting...");
    } else if (cs instanceof ConnectionState.Offline o) {
      sb.append("offline: ").append(o.reason());
    }
    sb.append(v);
    if (current != null) {
      int i = indexOf(convs, current);
      sb.append('[').append(i >= 0 ? (i + 1) + ":" : "").append(current).append(']');
    } else {
      sb.append("[home]");
    }
    sb.append(v).append(model.presence().word());
    if (scroll > 0) {
      sb.append(v).append("-more-");
    }
    if (matchPos >= 0) {
      sb.append(v)
          .append('/')
          .append(searchQuery)
          .append(' ')
          .append(matchPos + 1)
          .append('/')
          .append(matches.size());
    }
    if (listFocus) {
      sb.append(v).append("list: Up/Down, Enter opens, Esc");
    }
    if (pasting) {
      sb.append(v).append("pasting");
    }
    if (!hint.isEmpty()) {
      sb.append(v).append(hint);
    }
    p.put(0, row, TextWidth.sanitize(sb.toString()), Style.STATUS, w);
  }

  private TerminalPosition drawInput(Painter p, Optional<Conversation> conv, int w, int row) {
    String prompt =
        switch (mode) {
          case PASSWD_OLD -> "Current password (hidden, Esc cancels): ";
          case PASSWD_NEW -> "New password (hidden, 10+ characters): ";
          case PASSWD_REPEAT -> "Repeat the new password (hidden): ";
          case CONFIRM_RESET -> "Reset your keys? Type yes: ";
          case NORMAL -> {
            if (conv.isPresent() && conv.get().safetyNumberChanged()) {
              yield "[" + current + ": !trust first] ";
            }
            yield current != null ? "[" + current + "] " : "> ";
          }
        };
    prompt = TextWidth.fit(prompt, Math.max(1, w / 2));
    int c = p.put(0, row, prompt, Style.INPUT_PROMPT, w);
    if (mode == Mode.PASSWD_OLD || mode == Mode.PASSWD_NEW || mode == Mode.PASSWD_REPEAT) {
      return new TerminalPosition(Math.min(c, w - 1), row);
    }
    int room = Math.max(1, w - c - 1);
    String text = editor.text();
    int cursor = editor.cursor();
    List<int[]> cells = new ArrayList<>(); // {charIndex, width}
    StringBuilder shown = new StringBuilder();
    List<Integer> shownStart = new ArrayList<>();
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      String s;
      if (cp == '\n') {
        s = g.newline();
      } else {
        s = TextWidth.sanitize(new String(Character.toChars(cp)));
      }
      cells.add(new int[] {i, TextWidth.of(s)});
      shownStart.add(shown.length());
      shown.append(s);
      i += Character.charCount(cp);
    }
    int cursorCell = 0;
    while (cursorCell < cells.size() && cells.get(cursorCell)[0] < cursor) {
      cursorCell++;
    }
    int first = 0;
    int widthBefore = 0;
    for (int i = 0; i < cursorCell; i++) {
      widthBefore += cells.get(i)[1];
    }
    while (widthBefore > room - 1 && first < cursorCell) {
      widthBefore -= cells.get(first)[1];
      first++;
    }
    String visible = first < shownStart.size() ? shown.substring(shownStart.get(first)) : "";
    p.put(c, row, visible, Style.NORMAL, w);
    return new TerminalPosition(Math.min(w - 1, c + widthBefore), row);
  }

  private void drawOverlay(Painter p, int w, int top, int height) {
    Overlay o = overlay;
    if (o.help) {
      List<String> lines = helpLines();
      p.fill(0, top, w, height, Style.NORMAL);
      p.fill(0, top, w, 1, Style.SELECTED);
      p.put(1, top, "Help: Up/Down/PgUp/PgDn scroll, Esc closes", Style.SELECTED, w);
      int visible = height - 1;
      int first = Math.max(0, Math.min(o.selection, lines.size() - visible));
      o.selection = first;
      for (int i = 0; i < visible && first + i < lines.size(); i++) {
        p.put(1, top + 1 + i, TextWidth.sanitize(lines.get(first + i)), Style.NORMAL, w - 1);
      }
      return;
    }
    int boxWidth = Math.min(w - 4, 44);
    int boxHeight = Math.min(height - 2, Math.max(4, (o.users == null ? 1 : o.users.size()) + 3));
    int left = (w - boxWidth) / 2;
    int boxTop = top + 1;
    p.fill(left, boxTop, boxWidth, boxHeight, Style.NORMAL);
    String hline = g.horizontal();
    p.put(left, boxTop, "+" + hline.repeat(boxWidth - 2) + "+", Style.NORMAL, left + boxWidth);
    p.put(
        left,
        boxTop + boxHeight - 1,
        "+" + hline.repeat(boxWidth - 2) + "+",
        Style.NORMAL,
        left + boxWidth);
    for (int r = boxTop + 1; r < boxTop + boxHeight - 1; r++) {
      p.put(left, r, g.vertical(), Style.NORMAL, left + boxWidth);
      p.put(left + boxWidth - 1, r, g.vertical(), Style.NORMAL, left + boxWidth);
    }
    p.put(left + 2, boxTop, " Users: Enter opens, Esc closes ", Style.NORMAL, left + boxWidth - 1);
    int inner = boxWidth - 4;
    int visible = boxHeight - 2;
    if (o.users == null) {
      p.put(left + 2, boxTop + 1, "Loading...", Style.SYSTEM, left + 2 + inner);
      return;
    }
    if (o.users.isEmpty()) {
      p.put(left + 2, boxTop + 1, "No other users yet.", Style.SYSTEM, left + 2 + inner);
      return;
    }
    if (o.selection < o.top) {
      o.top = o.selection;
    } else if (o.selection >= o.top + visible) {
      o.top = o.selection - visible + 1;
    }
    for (int i = 0; i < visible && o.top + i < o.users.size(); i++) {
      UserInfo u = o.users.get(o.top + i);
      String line =
          g.presence(u.presence())
              + " "
              + TextWidth.pad(u.username(), Math.max(4, inner - 18))
              + " "
              + TextWidth.pad(u.presence().word(), 7)
              + (u.blocked() ? " blocked" : "");
      boolean sel = o.top + i == o.selection;
      int r = boxTop + 1 + i;
      if (sel) {
        p.fill(left + 1, r, boxWidth - 2, 1, Style.SELECTED);
      }
      p.put(
          left + 2,
          r,
          TextWidth.fit(line, inner),
          sel ? Style.SELECTED : Style.NORMAL,
          left + 2 + inner);
    }
  }
}
