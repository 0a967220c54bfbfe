package dev.sotto.client.core.messaging;

/**
 * Receives a {@link Messenger}'s events. Called on the messenger's single event thread, in the
 * order things happened; an implementation must return quickly and must not call the messenger's
 * blocking methods from the callback (hand work to another thread, e.g. the UI's).
 */
@FunctionalInterface
public interface MessengerListener {

  /** Ignores everything. */
  MessengerListener NONE = event -> {};

  /** Something happened. */
  void onEvent(MessengerEvent event);
}
