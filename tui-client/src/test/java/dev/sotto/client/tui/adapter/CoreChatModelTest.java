package dev.sotto.client.tui.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sotto.client.core.ClientOptions;
import dev.sotto.client.core.ClientPaths;
import dev.sotto.client.core.messaging.ConnectionStatus;
import dev.sotto.client.core.messaging.Message;
import dev.sotto.client.core.messaging.MessageId;
import dev.sotto.client.core.messaging.MessageState;
import dev.sotto.client.core.messaging.MessengerEvent;
import dev.sotto.client.tui.model.ChatItem;
import dev.sotto.client.tui.model.ConnectionState;
import dev.sotto.client.tui.model.Conversation;
import dev.sotto.client.tui.model.DeliveryState;
import dev.sotto.client.tui.model.ModelChange;
import dev.sotto.client.tui.model.Presence;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link CoreChatModel} turns the messenger's events and messages into the UI's snapshots and
 * change notices (no server: events are fed as the messenger's event thread would).
 */
class CoreChatModelTest {

  @TempDir Path tmp;

  private CoreChatModel model() {
    return new CoreChatModel(
        ClientPaths.resolve(tmp, Map.of(), null, "/nonexistent"),
        ClientOptions.defaults(),
        Runnable::run);
  }

  private static Message message(
      String peer, Message.Direction dir, Message.Kind kind, String text, MessageState state) {
    Instant t = Instant.parse("2026-11-22T09:30:00Z");
    return new Message(
        peer,
        1,
        MessageId.random(new SecureRandom()),
        dir,
        dir == Message.Direction.INCOMING ? peer : "alice",
        t,
        t,
        kind,
        text,
        state);
  }

  @Test
  void toItem_mapsKindsAndStates() {
    Message sent =
        message("bob", Message.Direction.OUTGOING, Message.Kind.TEXT, "hi", MessageState.STORED);
    assertThat(CoreChatModel.toItem(sent))
        .isEqualTo(
            new ChatItem.Text(
                sent.id().toString(), "alice", "hi", sent.timestamp(), DeliveryState.STORED, true));
    Message bad =
        message(
            "bob", Message.Direction.INCOMING, Message.Kind.UNDECRYPTABLE, "", MessageState.UNREAD);
    assertThat(CoreChatModel.toItem(bad))
        .isEqualTo(new ChatItem.Undecryptable("bob", bad.timestamp()));
    Message newer =
        message(
            "bob", Message.Direction.INCOMING, Message.Kind.UNSUPPORTED, "", MessageState.UNREAD);
    assertThat(CoreChatModel.toItem(newer)).isInstanceOf(ChatItem.SystemLine.class);
    assertThat(((ChatItem.SystemLine) CoreChatModel.toItem(newer)).text())
        .contains("bob")
        .contains("cannot show");
    assertThat(CoreChatModel.map(MessageState.UNREAD)).isEqualTo(DeliveryState.DELIVERED);
    assertThat(CoreChatModel.map(MessageState.READ)).isEqualTo(DeliveryState.READ);
    assertThat(CoreChatModel.map(MessageState.FAILED)).isEqualTo(DeliveryState.FAILED);
  }

  @Test
  void events_buildConversationList_unreadPresenceIdentityFlag() {
    CoreChatModel m = model();
    List<ModelChange> changes = new CopyOnWriteArrayList<>();
    m.addListener(changes::add);

    Message in =
        message("bob", Message.Direction.INCOMING, Message.Kind.TEXT, "hello", MessageState.UNREAD);
    m.onEvent(new MessengerEvent.MessageReceived(in));
    m.onEvent(new MessengerEvent.UnreadChanged("bob", 1));
    m.onEvent(
        new MessengerEvent.PresenceChanged("bob", dev.sotto.client.core.messaging.Presence.AWAY));
    m.onEvent(
        new MessengerEvent.MessageReceived(
            message(
                "carol", Message.Direction.INCOMING, Message.Kind.TEXT, "x", MessageState.UNREAD)));

    assertThat(m.conversations())
        .extracting(Conversation::peer, Conversation::unread, Conversation::presence)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("bob", 1, Presence.AWAY),
            org.assertj.core.groups.Tuple.tuple("carol", 1, Presence.OFFLINE));
    assertThat(changes).contains(new ModelChange.Arrived("bob", CoreChatModel.toItem(in)));

    // A newer message from carol does not reorder the list (Alt+N stays stable).
    m.onEvent(
        new MessengerEvent.MessageReceived(
            message(
                "carol", Message.Direction.INCOMING, Message.Kind.TEXT, "y", MessageState.UNREAD)));
    assertThat(m.conversations()).extracting(Conversation::peer).containsExactly("bob", "carol");

    m.onEvent(new MessengerEvent.IdentityChanged("bob", "12345 ".repeat(12).strip()));
    assertThat(m.conversations().get(0).safetyNumberChanged()).isTrue();
    assertThat(m.conversations().get(1).safetyNumberChanged()).isFalse();
  }

  @Test
  void arrived_seesTheMessageCountedUnread_beforeTheUnreadEvent() {
    // The UI answers Arrived with markRead, which skips a conversation with nothing unread; the
    // messenger's UnreadChanged comes after MessageReceived, possibly after the UI has asked.
    CoreChatModel m = model();
    List<Integer> unreadAtArrival = new CopyOnWriteArrayList<>();
    m.addListener(
        c -> {
          if (c instanceof ModelChange.Arrived a) {
            unreadAtArrival.add(
                m.conversations().stream()
                    .filter(x -> x.peer().equals(a.peer()))
                    .findFirst()
                    .orElseThrow()
                    .unread());
          }
        });
    m.onEvent(new MessengerEvent.UnreadChanged("bob", 0));
    m.onEvent(
        new MessengerEvent.MessageReceived(
            message(
                "bob", Message.Direction.INCOMING, Message.Kind.TEXT, "a", MessageState.UNREAD)));
    m.onEvent(
        new MessengerEvent.MessageReceived(
            message(
                "bob", Message.Direction.INCOMING, Message.Kind.TEXT, "b", MessageState.UNREAD)));
    assertThat(unreadAtArrival).containsExactly(1, 2);
    // The messenger's figure wins once it comes (here: read meanwhile on another path).
    m.onEvent(new MessengerEvent.UnreadChanged("bob", 0));
    assertThat(m.conversations().get(0).unread()).isZero();
  }

  @Test
  void connectionEvents_mapToStatusBarStates_andProblemsBecomeNotices() {
    CoreChatModel m = model();
    List<ModelChange> changes = new CopyOnWriteArrayList<>();
    m.addListener(changes::add);
    Instant next = Instant.parse("2026-11-22T09:31:00Z");
    m.onEvent(
        new MessengerEvent.ConnectionChanged(
            new ConnectionStatus.Reconnecting(next, 2, "the server closed the connection")));
    assertThat(m.connection())
        .isEqualTo(new ConnectionState.Reconnecting(next, "the server closed the connection"));
    assertThat(changes).contains(new ModelChange.ConnectionChanged());
    m.onEvent(new MessengerEvent.Problem("The prekey upload failed; retrying."));
    m.onEvent(
        new MessengerEvent.BacklogSummary(
            List.of(
                new MessengerEvent.SenderCount("bob", 3),
                new MessengerEvent.SenderCount("carol", 1))));
    assertThat(changes)
        .contains(
            new ModelChange.Notice("The prekey upload failed; retrying."),
            new ModelChange.Notice("Waiting for you: 3 from bob, 1 from carol."));
  }

  @Test
  void actionsWithoutLogin_failWithSentence_notOnTheCaller() {
    CoreChatModel m = model();
    assertThat(m.send("bob", "hi")).isCompletedExceptionally();
    assertThat(m.block("bob")).isCompletedExceptionally();
    assertThat(m.listUsers()).isCompletedExceptionally();
    assertThat(m.presence()).isEqualTo(Presence.OFFLINE);
    assertThat(m.messages("bob")).isEmpty();
  }

  @Test
  void preferences_survive_reload_andBadFileGivesDefaults() throws Exception {
    TuiPreferences p = TuiPreferences.load(tmp);
    assertThat(p.readReceipts()).isTrue();
    p.setMuted("Bob", true);
    p.setReadReceipts(false);
    TuiPreferences again = TuiPreferences.load(tmp);
    assertThat(again.muted("bob")).isTrue();
    assertThat(again.muted("carol")).isFalse();
    assertThat(again.readReceipts()).isFalse();
    java.nio.file.Files.write(tmp.resolve("tui.properties"), new byte[] {(byte) 0xff, '\\', 'u'});
    assertThat(TuiPreferences.load(tmp).readReceipts()).isTrue();
  }

  @Test
  void sendingPaused_noticeSaysWhyAndWhenInWholeSeconds() {
    assertThat(
            CoreChatModel.sendingPaused(
                new MessengerEvent.SendingPaused(
                    java.time.Duration.ofMillis(1200), "RATE_LIMITED")))
        .isEqualTo(
            "The server asks you to send more slowly: your messages wait and go out by themselves"
                + " in 2 s.");
    assertThat(
            CoreChatModel.sendingPaused(
                new MessengerEvent.SendingPaused(java.time.Duration.ofSeconds(5), "SERVER_BUSY")))
        .startsWith("The server cannot take messages right now")
        .endsWith(" in 5 s.");
  }
}
