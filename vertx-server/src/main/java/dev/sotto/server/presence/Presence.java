package dev.sotto.server.presence;

import dev.sotto.wire.WireException;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.PresenceState;

/** A user's presence. ONLINE, AWAY and DND are chosen by the user; OFFLINE means no connection. */
public enum Presence {
  ONLINE,
  AWAY,
  /** Do not disturb: nothing is pushed live; messages wait in the mailbox. */
  DND,
  OFFLINE;

  /** The wire form. */
  public PresenceState toProto() {
    return switch (this) {
      case ONLINE -> PresenceState.ONLINE;
      case AWAY -> PresenceState.AWAY;
      case DND -> PresenceState.DND;
      case OFFLINE -> PresenceState.OFFLINE;
    };
  }

  /**
   * What a user may choose in {@code SetPresence}.
   *
   * @throws WireException {@code INVALID_REQUEST} for OFFLINE or an unknown value
   */
  public static Presence chosen(PresenceState state) throws WireException {
    return switch (state) {
      case ONLINE -> ONLINE;
      case AWAY -> AWAY;
      case DND -> DND;
      default ->
          throw new WireException(
              ErrorCode.INVALID_REQUEST, "Presence can be set to ONLINE, AWAY or DND only.");
    };
  }
}
