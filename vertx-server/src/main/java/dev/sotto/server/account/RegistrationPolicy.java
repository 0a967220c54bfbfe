package dev.sotto.server.account;

import dev.sotto.wire.proto.RegistrationMode;

/** Who may create an account: anyone, holders of an invite code, or nobody. */
public enum RegistrationPolicy {
  /** Anyone who can reach the server. */
  OPEN(RegistrationMode.REGISTRATION_OPEN),
  /** Holders of a single-use invite code made by {@code sotto-server invite create}. */
  INVITE(RegistrationMode.REGISTRATION_INVITE),
  /** Nobody; existing accounts keep working. */
  CLOSED(RegistrationMode.REGISTRATION_CLOSED);

  private final RegistrationMode wire;

  RegistrationPolicy(RegistrationMode wire) {
    this.wire = wire;
  }

  /** The mode announced in {@code Welcome}. */
  public RegistrationMode toProto() {
    return wire;
  }
}
