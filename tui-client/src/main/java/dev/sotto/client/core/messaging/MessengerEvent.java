package dev.sotto.client.core.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** What a {@link Messenger} reports to its {@link MessengerListener}s. */
public sealed interface MessengerEvent {

  /**
   * A message arrived and is committed to the local store (so it is also in {@link
   * Messenger#history}); its conversation's unread count went up. Also fired for a message that
   * could not be decrypted ({@link Message.Kind#UNDECRYPTABLE}).
   *
   * @param message the message, state {@link MessageState#UNREAD}
   */
  record MessageReceived(Message message) implements MessengerEvent {
    /** Checks for null. */
    public MessageReceived {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * An outgoing message was encrypted and committed to the outbox (state {@link
   * MessageState#SENDING}); it is in {@link Messenger#history} from now on.
   *
   * @param message the message
   */
  record MessageSent(Message message) implements MessengerEvent {
    /** Checks for null. */
    public MessageSent {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * A message's state changed: an outgoing one was stored by the server, delivered or read by the
   * peer (or failed); an incoming one was marked read.
   *
   * @param peer the conversation
   * @param id the message
   * @param state the new state
   */
  record MessageStateChanged(String peer, MessageId id, MessageState state)
      implements MessengerEvent {
    /** Checks for nulls. */
    public MessageStateChanged {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * The server stored an outgoing message but holds it in the recipient's mailbox instead of
   * pushing it, because the recipient is offline or in do-not-disturb (DESIGN.md "Delivery"). It
   * follows the message's {@link MessageStateChanged} to {@link MessageState#STORED}.
   *
   * @param peer the recipient
   * @param id the message
   * @param recipientPresence the recipient's presence as the server saw it
   */
  record MessageHeld(String peer, MessageId id, Presence recipientPresence)
      implements MessengerEvent {
    /** Checks for nulls. */
    public MessageHeld {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(recipientPresence, "recipientPresence");
    }
  }

  /**
   * A conversation's unread count changed (a message arrived, or it was marked read).
   *
   * @param peer the conversation
   * @param unread the new count
   */
  record UnreadChanged(String peer, int unread) implements MessengerEvent {
    /** Checks for null. */
    public UnreadChanged {
      Objects.requireNonNull(peer, "peer");
    }
  }

  /**
   * A user's presence changed (pushed by the server).
   *
   * @param user the user
   * @param presence their presence
   */
  record PresenceChanged(String user, Presence presence) implements MessengerEvent {
    /** Checks for nulls. */
    public PresenceChanged {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(presence, "presence");
    }
  }

  /**
   * A contact's identity key changed: sending to them is blocked, and messages from them under the
   * new identity wait, until the user accepts it ({@link Messenger#trust}) after comparing the new
   * safety number.
   *
   * @param user the contact
   * @param safetyNumber the NEW safety number, 12 groups of 5 digits
   */
  record IdentityChanged(String user, String safetyNumber) implements MessengerEvent {
    /** Checks for nulls. */
    public IdentityChanged {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(safetyNumber, "safetyNumber");
    }
  }

  /**
   * The ratchet counters show that {@code missing} messages from {@code peer} were skipped (the
   * server dropped or still delays them). Messages that arrive late fill the gap silently.
   *
   * @param peer the sender
   * @param missing how many messages are missing
   */
  record Gap(String peer, int missing) implements MessengerEvent {
    /** Checks the fields. */
    public Gap {
      Objects.requireNonNull(peer, "peer");
      if (missing < 1) {
        throw new IllegalArgumentException("expected missing >= 1");
      }
    }
  }

  /**
   * A message from {@code peer} could not be decrypted. It is in the history as {@link
   * Message.Kind#UNDECRYPTABLE}, and this client asked the peer's client to reset the session.
   *
   * @param peer the sender
   * @param id the message id
   * @param reason what was wrong, for logs and curious users (never key material)
   */
  record Undecryptable(String peer, MessageId id, String reason) implements MessengerEvent {
    /** Checks for nulls. */
    public Undecryptable {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The connection changed state (online, reconnecting with a countdown, offline).
   *
   * @param status the new state, also {@link Messenger#connectionStatus()}
   */
  record ConnectionChanged(ConnectionStatus status) implements MessengerEvent {
    /** Checks for null. */
    public ConnectionChanged {
      Objects.requireNonNull(status, "status");
    }
  }

  /**
   * After a login the server announces what waited in the mailbox: "N unread from X". The messages
   * follow as {@link MessageReceived}, then {@link BacklogDone}.
   *
   * @param counts per sender, in the server's order
   */
  record BacklogSummary(List<SenderCount> counts) implements MessengerEvent {
    /** Copies the list. */
    public BacklogSummary {
      counts = List.copyOf(counts);
    }

    /** The total number of waiting messages. */
    public int total() {
      int n = 0;
      for (SenderCount c : counts) {
        n += c.count();
      }
      return n;
    }
  }

  /**
   * How many messages from one sender waited.
   *
   * @param sender the sender
   * @param count how many
   */
  record SenderCount(String sender, int count) {
    /** Checks for null. */
    public SenderCount {
      Objects.requireNonNull(sender, "sender");
    }
  }

  /** Every message that waited in the mailbox at login has been received and committed. */
  record BacklogDone() implements MessengerEvent {}

  /**
   * The server asked this client to send more slowly (or is busy): outgoing messages stay in the
   * outbox, state {@link MessageState#SENDING}, and go out by themselves, in order, after {@code
   * resumeIn}. Fired for pauses of a second or more, at most once every 10 s, never per message.
   *
   * @param resumeIn how long sending pauses
   * @param reason the server's error code, for logs ({@code RATE_LIMITED}, {@code SERVER_BUSY}...)
   */
  record SendingPaused(Duration resumeIn, String reason) implements MessengerEvent {
    /** Checks for nulls. */
    public SendingPaused {
      Objects.requireNonNull(resumeIn, "resumeIn");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Something went wrong in the background that the user should know about (a prekey upload failed,
   * the local store could not be written...). The messenger keeps running.
   *
   * @param message a sentence for the user
   */
  record Problem(String message) implements MessengerEvent {
    /** Checks for null. */
    public Problem {
      Objects.requireNonNull(message, "message");
    }
  }
}
