package dev.sotto.keystore.store;

import dev.sotto.keystore.KeyRenewal;
import dev.sotto.keystore.KeyStores;
import dev.sotto.keystore.ProtocolAddress;
import dev.sotto.keystore.identity.IdentityKeyPair;
import dev.sotto.keystore.prekey.KemPreKeyRecord;
import dev.sotto.keystore.prekey.PreKeyBundle;
import dev.sotto.keystore.prekey.PreKeySet;
import dev.sotto.keystore.prekey.SignedPreKeyRecord;
import dev.sotto.store.StoreOptions;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

/**
 * A test user on a {@link LocalStore}, following the client's order of durable steps: send =
 * encrypt, commit state with history and outbox rows, then deliver; receive = skip if the message
 * id is stored, else decrypt and commit session, history and unread together.
 */
final class Peer implements AutoCloseable {
  final String name;
  final ProtocolAddress address;
  final LocalStore store;

  private Peer(String name, LocalStore store) {
    this.name = name;
    this.address = new ProtocolAddress(name, 1);
    this.store = store;
  }

  /** Opens the peer's store, or creates it; installs prekeys if it has none (a killed create). */
  static Peer openOrCreate(
      Path dir, String name, byte[] storeKey, StoreOptions options, SecureRandom random)
      throws Exception {
    LocalStore store;
    try {
      store = LocalStore.open(dir, storeKey, options, random);
    } catch (NoLocalStoreException e) {
      store = LocalStore.create(dir, storeKey, IdentityKeyPair.generate(random), options, random);
    }
    try (Transaction tx = store.begin()) {
      KeyStores ks = tx.keyStores();
      if (ks.signedPreKeys().loadSignedPreKeys().isEmpty()) {
        KeyRenewal.install(ks, PreKeySet.generate(ks.identity().identityKeyPair(), 2, 0, random));
        tx.commit();
      }
    }
    return new Peer(name, store);
  }

  /** A bundle as the server would hand out: signed prekey and last-resort KEM prekey. */
  PreKeyBundle bundle() throws Exception {
    try (Transaction tx = store.begin()) {
      KeyStores ks = tx.keyStores();
      SignedPreKeyRecord spk = ks.signedPreKeys().loadSignedPreKeys().get(0);
      KemPreKeyRecord kem =
          ks.kemPreKeys().loadKemPreKeys().stream()
              .filter(KemPreKeyRecord::lastResort)
              .findFirst()
              .orElseThrow();
      return PreKeyBundle.of(1, ks.identity().identityKeyPair().publicKey(), spk, null, kem);
    }
  }

  boolean hasSessionWith(Peer other) {
    try (Transaction tx = store.begin()) {
      return tx.keyStores().sessions().loadSession(other.address).isPresent();
    }
  }

  void startSession(Peer other) throws Exception {
    try (Transaction tx = store.begin()) {
      tx.sessionBuilder().process(other.address, other.bundle());
      tx.commit();
    }
  }

  /** Encrypts and commits session state, history row and outbox row together. */
  OutboxEntry send(Peer to, byte[] messageId, byte[] content, long now) throws Exception {
    return store.encryptAndCommit(to.address, to.name, messageId, name, content, now);
  }

  /**
   * Receives a message: false if it was already committed (a redelivery), else decrypts and commits
   * session, history and unread count in one transaction.
   */
  boolean receive(Peer from, byte[] messageId, byte[] ciphertext, long now) throws Exception {
    return store.decryptAndCommit(from.address, from.name, messageId, ciphertext, now).isPresent();
  }

  /**
   * Delivers this peer's outbox to {@code to} (the "server" and the network), then removes each
   * delivered row and marks it sent, as the server's ack would.
   *
   * @return the ids newly committed by the recipient
   */
  List<byte[]> deliver(Peer to, long now) throws Exception {
    List<byte[]> received = new java.util.ArrayList<>();
    for (OutboxEntry e : store.outbox(1000)) {
      if (to.receive(this, e.messageId(), e.ciphertext(), now)) {
        received.add(e.messageId());
      }
      store.markSent(e);
    }
    return received;
  }

  @Override
  public void close() {
    store.close();
  }
}
