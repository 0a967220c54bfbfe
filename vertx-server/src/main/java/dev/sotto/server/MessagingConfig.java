package dev.sotto.server;

import dev.sotto.server.delivery.DeliveryService;
import dev.sotto.server.directory.PreKeyDirectory;
import dev.sotto.server.mailbox.Mailboxes;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the messaging features.
 *
 * @param mailbox mailbox quotas and retention
 * @param preKeys prekey caps, top-up threshold and fetch rates
 * @param delivery backlog paging and in-flight bounds
 * @param sweepInterval how often expired mail is deleted
 * @param maxListedUsers most users one {@code UserList} names (the frame must stay under the
 *     client's frame limit)
 */
public record MessagingConfig(
    Mailboxes.Limits mailbox,
    PreKeyDirectory.Limits preKeys,
    DeliveryService.Settings delivery,
    Duration sweepInterval,
    int maxListedUsers) {

  public MessagingConfig {
    Objects.requireNonNull(mailbox, "mailbox");
    Objects.requireNonNull(preKeys, "preKeys");
    Objects.requireNonNull(delivery, "delivery");
    Objects.requireNonNull(sweepInterval, "sweepInterval");
    if (sweepInterval.toMillis() < 1 || maxListedUsers < 1) {
      throw new IllegalArgumentException("messaging limits must be positive");
    }
  }

  /** The defaults of each part; an hourly sweep; at most 10,000 users listed. */
  public static MessagingConfig defaults() {
    return new MessagingConfig(
        Mailboxes.Limits.defaults(),
        PreKeyDirectory.Limits.defaults(),
        DeliveryService.Settings.defaults(),
        Duration.ofHours(1),
        10_000);
  }

  /** This config with other mailbox limits (tests). */
  public MessagingConfig withMailbox(Mailboxes.Limits limits) {
    return new MessagingConfig(limits, preKeys, delivery, sweepInterval, maxListedUsers);
  }

  /** This config with other prekey limits (tests). */
  public MessagingConfig withPreKeys(PreKeyDirectory.Limits limits) {
    return new MessagingConfig(mailbox, limits, delivery, sweepInterval, maxListedUsers);
  }
}
