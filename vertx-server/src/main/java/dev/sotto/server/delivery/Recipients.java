package dev.sotto.server.delivery;

import java.util.concurrent.CompletableFuture;

/** Whether an account exists; implemented over the account store by the account package. */
@FunctionalInterface
public interface Recipients {
  /** Completes with true when {@code user} is an account that may receive messages. */
  CompletableFuture<Boolean> exists(String user);
}
