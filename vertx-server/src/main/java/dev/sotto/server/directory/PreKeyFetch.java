package dev.sotto.server.directory;

import java.util.Objects;

/**
 * The result of a fetch: the bundle for the requester, and what is left to the owner.
 *
 * @param ownerLow the owner fell below the top-up threshold: push it {@code PreKeysLow} with {@code
 *     remaining}
 */
public record PreKeyFetch(PreKeyBundle bundle, PreKeyCounts remaining, boolean ownerLow) {
  public PreKeyFetch {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(remaining, "remaining");
  }
}
