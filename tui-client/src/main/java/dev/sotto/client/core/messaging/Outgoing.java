package dev.sotto.client.core.messaging;

import java.util.concurrent.CompletableFuture;

/**
 * A message on its way out, as {@link Messenger#send} returns it: two futures for its two durable
 * steps.
 *
 * <ul>
 *   <li>{@link #committed()} completes once the message is encrypted and committed to the outbox
 *       (state {@link MessageState#SENDING}); from then on it survives a crash and a reconnect. It
 *       fails with {@link IdentityChangedException} (the contact's safety number changed), {@link
 *       dev.sotto.client.core.ServerException} ({@code UNKNOWN_USER}, {@code NO_PRE_KEYS}), {@link
 *       NotConnectedException} (the messenger closed while the send waited: a first message to a
 *       contact needs the server for their prekeys, so while disconnected it waits in memory for
 *       the reconnect, keeping its order), {@link dev.sotto.client.core.InvalidInputException} (bad
 *       name, empty or too long text) or {@link dev.sotto.keystore.store.LocalStoreException}.
 *   <li>{@link #stored()} completes once the server acknowledged it (state {@link
 *       MessageState#STORED}, one tick); while offline it waits for the reconnect. It fails as
 *       {@code committed()} does, or with {@link dev.sotto.client.core.ServerException} when the
 *       server refuses it for good (then the state is {@link MessageState#FAILED}).
 * </ul>
 *
 * Later ticks (delivered, read) arrive as {@link MessengerEvent.MessageStateChanged}.
 *
 * @param committed completes with the message as committed
 * @param stored completes with the message as stored by the server
 */
public record Outgoing(CompletableFuture<Message> committed, CompletableFuture<Message> stored) {}
