package dev.sotto.bench.abuse;

import static dev.sotto.bench.abuse.Probe.REPLY;
import static dev.sotto.bench.abuse.Probe.describe;
import static dev.sotto.bench.abuse.Probe.errorStaysOpen;
import static dev.sotto.bench.abuse.Probe.errorThenClose;
import static dev.sotto.bench.abuse.Probe.hello;
import static dev.sotto.bench.abuse.Probe.is;
import static dev.sotto.bench.abuse.Probe.isError;
import static dev.sotto.bench.abuse.Probe.login;
import static dev.sotto.bench.abuse.Probe.ping;
import static dev.sotto.bench.abuse.Probe.register;
import static dev.sotto.bench.abuse.Probe.send;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.sotto.bench.abuse.Case.Outcome;
import dev.sotto.bench.abuse.RawClient.Reply;
import dev.sotto.wire.WireLimits;
import dev.sotto.wire.proto.AckMessages;
import dev.sotto.wire.proto.Address;
import dev.sotto.wire.proto.Block;
import dev.sotto.wire.proto.Envelope;
import dev.sotto.wire.proto.EnvelopeType;
import dev.sotto.wire.proto.ErrorCode;
import dev.sotto.wire.proto.FetchPreKeyBundle;
import dev.sotto.wire.proto.Frame;
import dev.sotto.wire.proto.KdfParams;
import dev.sotto.wire.proto.ListUsers;
import dev.sotto.wire.proto.PresenceState;
import dev.sotto.wire.proto.Register;
import dev.sotto.wire.proto.SendMessage;
import dev.sotto.wire.proto.SetPresence;
import dev.sotto.wire.proto.SignedPreKey;
import dev.sotto.wire.proto.UploadPreKeys;
import dev.sotto.wire.proto.Welcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** The cases, each with what it sends and what the protocol (PROTOCOL.md) says must happen. */
final class Catalogue {
  private final Probe p;
  private final int halfOpen;

  /**
   * @param halfOpen how many half-open TCP connections the half-open case holds
   */
  Catalogue(Probe probe, int halfOpen) {
    this.p = probe;
    this.halfOpen = halfOpen;
  }

  /** Every case, in the order of the report. */
  List<Case> cases() {
    List<Case> c = new ArrayList<>();
    framing(c);
    handshake(c);
    accounts(c);
    messaging(c);
    floods(c);
    transport(c);
    return c;
  }

  // ------------------------------------------------------------------ framing

  private void framing(List<Case> c) {
    c.add(
        quick(
            "length 0",
            "TLS, then the 4 bytes 00 00 00 00",
            "Error BAD_FRAME, close",
            () -> rawThenError(lengthPrefix(0), ErrorCode.BAD_FRAME)));
    c.add(
        quick(
            "length 2^32-1",
            "TLS, then ff ff ff ff (and no body)",
            "Error FRAME_TOO_LARGE from the 4 length bytes alone, close",
            () -> rawThenError(lengthPrefix(0xffffffffL), ErrorCode.FRAME_TOO_LARGE)));
    c.add(
        quick(
            "length max+1 before login",
            "TLS, then length 16,385 (no body)",
            "Error FRAME_TOO_LARGE, close",
            () ->
                rawThenError(
                    lengthPrefix(WireLimits.MAX_FRAME_BEFORE_LOGIN + 1),
                    ErrorCode.FRAME_TOO_LARGE)));
    c.add(
        quick(
            "length exactly max before login",
            "a Hello padded with an unknown field to a 16,384-byte body",
            "Welcome (unknown fields are ignored; the limit is inclusive)",
            () -> {
              try (RawClient k = p.tls()) {
                k.send(padded(hello(1).setRequestId(1), WireLimits.MAX_FRAME_BEFORE_LOGIN));
                Reply r = k.await(1, REPLY);
                return Outcome.of(is(r, Frame.BodyCase.WELCOME), describe(r));
              }
            }));
    c.add(
        quick(
            "length max+1 after login",
            "logged in, then length 1,048,577 (no body)",
            "Error FRAME_TOO_LARGE, close",
            () -> {
              try (RawClient k = p.registered(name("big"))) {
                k.write(lengthPrefix(WireLimits.MAX_FRAME_AFTER_LOGIN + 1));
                return errorThenClose(k, ErrorCode.FRAME_TOO_LARGE);
              }
            }));
    c.add(
        quick(
            "length exactly max after login",
            "logged in, a Ping padded to a 1,048,576-byte body",
            "Pong",
            () -> {
              try (RawClient k = p.registered(name("max"))) {
                k.send(padded(ping(5).setRequestId(3), WireLimits.MAX_FRAME_AFTER_LOGIN));
                Reply r = k.await(3, REPLY);
                return Outcome.of(is(r, Frame.BodyCase.PONG), describe(r));
              }
            }));
    c.add(
        quick(
            "truncated body, then silence",
            "TLS, length 100 and 10 body bytes, then nothing",
            "the login timeout (10 s): Error TIMEOUT, close",
            () -> {
              try (RawClient k = p.tls()) {
                k.write(concat(lengthPrefix(100), p.random(10)));
                return errorThenClose(k, ErrorCode.TIMEOUT, Duration.ofSeconds(12));
              }
            }));
    c.add(
        quick(
            "truncated length prefix, then silence",
            "TLS, 2 of the 4 length bytes, then nothing",
            "the login timeout (10 s): Error TIMEOUT, close",
            () -> {
              try (RawClient k = p.tls()) {
                k.write(new byte[] {0, 0});
                return errorThenClose(k, ErrorCode.TIMEOUT, Duration.ofSeconds(12));
              }
            }));
    c.add(
        quick(
            "garbage after a valid frame",
            "a valid Hello and the ASCII bytes \"GARBAGE!\" in the same write",
            "Welcome, then Error FRAME_TOO_LARGE (\"GARB\" read as a length), close",
            () -> {
              try (RawClient k = p.tls()) {
                k.write(
                    concat(
                        frameBytes(hello(1).setRequestId(1)),
                        "GARBAGE!".getBytes(StandardCharsets.US_ASCII)));
                Reply first = k.await(1, REPLY);
                Outcome rest = errorThenClose(k, ErrorCode.FRAME_TOO_LARGE);
                return Outcome.of(
                    is(first, Frame.BodyCase.WELCOME) && rest.pass(),
                    describe(first) + "; " + rest.observed());
              }
            }));
    c.add(
        quick(
            "short garbage frame after a valid frame",
            "a valid Hello, then length 5 and ff ff ff ff ff",
            "Welcome, then Error BAD_FRAME, close",
            () -> {
              try (RawClient k = p.tls()) {
                k.write(
                    concat(
                        frameBytes(hello(1).setRequestId(1)),
                        concat(lengthPrefix(5), new byte[] {-1, -1, -1, -1, -1})));
                Reply first = k.await(1, REPLY);
                Outcome rest = errorThenClose(k, ErrorCode.BAD_FRAME);
                return Outcome.of(
                    is(first, Frame.BodyCase.WELCOME) && rest.pass(),
                    describe(first) + "; " + rest.observed());
              }
            }));
    c.add(
        quick(
            "valid length, malformed protobuf",
            "length 64 and 64 random bytes with the first byte 0xff (an invalid tag)",
            "Error BAD_FRAME, close",
            () -> {
              byte[] body = p.random(64);
              body[0] = (byte) 0xff;
              body[1] = (byte) 0xff;
              return rawThenError(concat(lengthPrefix(64), body), ErrorCode.BAD_FRAME);
            }));
    c.add(
        quick(
            "frame with no body kind",
            "a Frame holding only request_id 1",
            "Error BAD_FRAME, close",
            () ->
                rawThenError(frameBytes(Frame.newBuilder().setRequestId(1)), ErrorCode.BAD_FRAME)));
    c.add(
        quick(
            "unknown frame type",
            "a Frame with body field 150 (the reserved rooms range) and request_id 1",
            "Error BAD_FRAME (no body kind this version knows), close",
            () -> {
              Frame f =
                  Frame.newBuilder()
                      .setRequestId(1)
                      .setUnknownFields(unknownField(150, ByteString.EMPTY))
                      .build();
              return rawThenError(frameBytes(f.toBuilder()), ErrorCode.BAD_FRAME);
            }));
    c.add(
        quick(
            "overlong varint",
            "a request_id varint of 11 bytes 0xff",
            "Error BAD_FRAME, close",
            () -> {
              byte[] body = new byte[12];
              body[0] = 0x08;
              for (int i = 1; i < 12; i++) {
                body[i] = (byte) 0xff;
              }
              return rawThenError(concat(lengthPrefix(12), body), ErrorCode.BAD_FRAME);
            }));
    c.add(
        quick(
            "invalid UTF-8 in a string field",
            "a Login whose username is the bytes ff fe",
            "Error BAD_FRAME (proto3 strings must be UTF-8), close",
            () -> {
              ByteArrayOutputStream body = new ByteArrayOutputStream();
              body.write(new byte[] {0x08, 0x01}); // request_id 1
              byte[] login = {0x0a, 0x02, (byte) 0xff, (byte) 0xfe}; // Login{username}
              body.write(new byte[] {(byte) 0xba, 0x01, (byte) login.length}); // field 23
              body.write(login);
              byte[] b = body.toByteArray();
              return rawThenError(concat(lengthPrefix(b.length), b), ErrorCode.BAD_FRAME);
            }));
    c.add(
        quick(
            "recursion bomb",
            "a Frame of 5,000 nested unknown groups (field 999), 10 KB",
            "Error BAD_FRAME (protobuf's recursion limit), close",
            () -> {
              ByteArrayOutputStream body = new ByteArrayOutputStream();
              body.write(new byte[] {0x08, 0x01});
              byte[] start = varint(999 << 3 | 3);
              byte[] end = varint(999 << 3 | 4);
              for (int i = 0; i < 2500; i++) {
                body.write(start);
              }
              for (int i = 0; i < 2500; i++) {
                body.write(end);
              }
              byte[] b = body.toByteArray();
              return rawThenError(concat(lengthPrefix(b.length), b), ErrorCode.BAD_FRAME);
            }));
    c.add(
        quick(
            "server-only frame from a client",
            "Hello, then a Welcome frame (rid 2)",
            "Error UNKNOWN_REQUEST, connection stays open",
            () -> {
              try (RawClient k = p.greeted()) {
                Reply r = send(k, 2, Frame.newBuilder().setWelcome(Welcome.getDefaultInstance()));
                return errorStaysOpen(k, r, ErrorCode.UNKNOWN_REQUEST);
              }
            }));
  }

  // ------------------------------------------------------------------ handshake

  private void handshake(List<Case> c) {
    c.add(
        quick(
            "Login before Hello",
            "TLS, then a Login as the first frame",
            "Error HANDSHAKE_REQUIRED, close",
            () -> {
              try (RawClient k = p.tls()) {
                k.send(login("nobody", ByteString.copyFrom(p.random(32))).setRequestId(1).build());
                return errorThenClose(k, ErrorCode.HANDSHAKE_REQUIRED);
              }
            }));
    c.add(
        quick(
            "Ping before Hello",
            "TLS, then a Ping as the first frame",
            "Error HANDSHAKE_REQUIRED, close",
            () -> {
              try (RawClient k = p.tls()) {
                k.send(ping(1).setRequestId(1).build());
                return errorThenClose(k, ErrorCode.HANDSHAKE_REQUIRED);
              }
            }));
    c.add(
        quick(
            "wrong protocol version",
            "Hello{protocol_version: 2}",
            "Error UNSUPPORTED_VERSION naming [1], close",
            () -> wrongVersion(2)));
    c.add(
        quick(
            "protocol version 2^32-1",
            "Hello{protocol_version: 4294967295}",
            "Error UNSUPPORTED_VERSION naming [1], close",
            () -> wrongVersion(-1)));
    c.add(
        quick(
            "Hello client name of 65 characters",
            "Hello{1, client: 65 x 'x'}",
            "Error INVALID_REQUEST, close",
            () -> {
              try (RawClient k = p.tls()) {
                Frame.Builder h = hello(1);
                h.getHelloBuilder().setClient("x".repeat(65));
                k.send(h.setRequestId(1).build());
                return errorThenClose(k, ErrorCode.INVALID_REQUEST);
              }
            }));
    c.add(
        quick(
            "second Hello",
            "Hello, then Hello again (rid 2)",
            "Error INVALID_REQUEST, connection stays open",
            () -> {
              try (RawClient k = p.greeted()) {
                return errorStaysOpen(k, send(k, 2, hello(1)), ErrorCode.INVALID_REQUEST);
              }
            }));
    c.add(
        quick(
            "request_id 0",
            "Hello, then a Ping with request_id 0",
            "Error INVALID_REQUEST (rid 0), connection stays open",
            () -> {
              try (RawClient k = p.greeted()) {
                k.send(ping(3).setRequestId(0).build());
                return errorStaysOpen(k, k.await(0, REPLY), ErrorCode.INVALID_REQUEST);
              }
            }));
    c.add(
        quick(
            "SendMessage before login",
            "Hello, then a SendMessage",
            "Error NOT_AUTHENTICATED, connection stays open",
            () -> {
              try (RawClient k = p.greeted()) {
                Reply r = send(k, 2, message("someone", p.random(16), p.random(100)));
                return errorStaysOpen(k, r, ErrorCode.NOT_AUTHENTICATED);
              }
            }));
  }

  // ------------------------------------------------------------------ accounts

  private void accounts(List<Case> c) {
    c.add(
        quick(
            "Login with a wrong key",
            "Login to an existing account with another 32-byte auth key",
            "Error AUTH_FAILED, connection stays open",
            () -> {
              String n = name("acct");
              p.account(n);
              try (RawClient k = p.greeted()) {
                Reply r = send(k, 2, login(n, ByteString.copyFrom(p.random(32))));
                return errorStaysOpen(k, r, ErrorCode.AUTH_FAILED);
              }
            }));
    c.add(
        quick(
            "Login as an unknown user",
            "Login as a name never registered; compared with a wrong-key Login",
            "Error AUTH_FAILED with the same sentence as a wrong key",
            () -> {
              String n = name("known");
              p.account(n);
              try (RawClient k = p.greeted()) {
                Reply unknown = send(k, 2, login(name("ghost"), ByteString.copyFrom(p.random(32))));
                Reply wrong = send(k, 3, login(n, ByteString.copyFrom(p.random(32))));
                boolean same =
                    isError(unknown, ErrorCode.AUTH_FAILED)
                        && isError(wrong, ErrorCode.AUTH_FAILED)
                        && ((Reply.Got) unknown)
                            .frame()
                            .getError()
                            .getMessage()
                            .equals(((Reply.Got) wrong).frame().getError().getMessage());
                return Outcome.of(
                    same,
                    describe(unknown)
                        + " / wrong key: "
                        + describe(wrong)
                        + (same ? "; same sentence" : "; sentences differ"));
              }
            }));
    c.add(
        quick(
            "Login with a 31-byte auth key",
            "Login{auth_key: 31 bytes}",
            "Error INVALID_REQUEST, open",
            () -> {
              try (RawClient k = p.greeted()) {
                Reply r = send(k, 2, login(name("short"), ByteString.copyFrom(p.random(31))));
                return errorStaysOpen(k, r, ErrorCode.INVALID_REQUEST);
              }
            }));
    c.add(
        quick(
            "Login as device 2",
            "Login{device_id: 2} to an existing account with its right key",
            "Error INVALID_REQUEST (only device 1 exists), open",
            () -> {
              String n = name("dev");
              p.account(n);
              try (RawClient k = p.greeted()) {
                Frame.Builder l = login(n, ByteString.copyFrom(p.random(32)));
                l.getLoginBuilder().setDeviceId(2);
                return errorStaysOpen(k, send(k, 2, l), ErrorCode.INVALID_REQUEST);
              }
            }));
    c.add(
        quick(
            "Register bad usernames",
            "Register \"ab\", 33 x 'a', \"bøb\", \"a b\", \"\", \"a/b\" on one connection",
            "Error INVALID_USERNAME for each, open",
            () -> {
              try (RawClient k = p.greeted()) {
                List<String> bad = List.of("ab", "a".repeat(33), "bøb", "a b", "", "a/b");
                StringBuilder seen = new StringBuilder();
                boolean all = true;
                long rid = 2;
                for (String n : bad) {
                  Reply r = send(k, rid++, register(n, ByteString.copyFrom(p.random(32))));
                  all &= isError(r, ErrorCode.INVALID_USERNAME);
                  seen.append(describe(r)).append("; ");
                }
                Outcome open =
                    errorStaysOpen(
                        k, send(k, rid, register("ab", key())), ErrorCode.INVALID_USERNAME);
                return Outcome.of(all && open.pass(), seen + open.observed());
              }
            }));
    c.add(
        quick(
            "Register a 16,000-character username",
            "Register{username: 16,000 x 'a'} in a frame just under 16 KiB",
            "Error INVALID_USERNAME, open",
            () -> {
              try (RawClient k = p.greeted()) {
                Reply r = send(k, 2, register("a".repeat(16_000), key()));
                return errorStaysOpen(k, r, ErrorCode.INVALID_USERNAME);
              }
            }));
    c.add(
        quick(
            "Register in an oversized frame",
            "Register with a 20,000-character invite code (frame over 16 KiB before login)",
            "Error FRAME_TOO_LARGE, close",
            () -> {
              try (RawClient k = p.greeted()) {
                Frame.Builder r = register(name("inv"), key());
                r.getRegisterBuilder().setInviteCode("i".repeat(20_000));
                k.send(r.setRequestId(2).build());
                return errorThenClose(k, ErrorCode.FRAME_TOO_LARGE);
              }
            }));
    c.add(
        quick(
            "Register KDF parameters out of bounds",
            "Register with memory_kib 1024; iterations 0; parallelism 5; iterations 11",
            "Error INVALID_REQUEST for each, open",
            () -> {
              List<KdfParams> bad =
                  List.of(
                      Probe.KDF.toBuilder().setMemoryKib(1024).build(),
                      Probe.KDF.toBuilder().setIterations(0).build(),
                      Probe.KDF.toBuilder().setParallelism(5).build(),
                      Probe.KDF.toBuilder().setIterations(11).build());
              return eachInvalid(
                  bad.stream()
                      .map(
                          k ->
                              Frame.newBuilder()
                                  .setRegister(
                                      Register.newBuilder()
                                          .setUsername(name("kdf"))
                                          .setKdfParams(k)
                                          .setAuthKey(key())))
                      .toList(),
                  ErrorCode.INVALID_REQUEST);
            }));
    c.add(
        quick(
            "Register auth key of 0 and 33 bytes",
            "Register{auth_key: empty}; Register{auth_key: 33 bytes}",
            "Error INVALID_REQUEST for each, open",
            () ->
                eachInvalid(
                    List.of(
                        register(name("k0"), ByteString.EMPTY),
                        register(name("k33"), ByteString.copyFrom(p.random(33)))),
                    ErrorCode.INVALID_REQUEST)));
    c.add(
        quick(
            "Register a taken name",
            "Register a name that exists (other case, same letters upper-case)",
            "Error USERNAME_TAKEN, open",
            () -> {
              String n = name("taken");
              p.account(n);
              try (RawClient k = p.greeted()) {
                Reply r = send(k, 2, register(n.toUpperCase(java.util.Locale.ROOT), key()));
                return errorStaysOpen(k, r, ErrorCode.USERNAME_TAKEN);
              }
            }));
    c.add(
        quick(
            "Login on a logged-in connection",
            "Register, then Login on the same connection",
            "Error ALREADY_AUTHENTICATED, open",
            () -> {
              String n = name("twice");
              try (RawClient k = p.registered(n)) {
                Reply r = send(k, 3, login(n, key()));
                return errorStaysOpen(k, r, ErrorCode.ALREADY_AUTHENTICATED);
              }
            }));
  }

  // ------------------------------------------------------------------ messaging

  private void messaging(List<Case> c) {
    c.add(
        quick(
            "oversized SendMessage payload",
            "logged in, SendMessage with a 262,145-byte ciphertext to an existing user",
            "Error MESSAGE_TOO_LARGE, open",
            () ->
                loggedInSend(
                    "huge",
                    to -> message(to, p.random(16), p.random(WireLimits.MAX_MESSAGE_BYTES + 1)),
                    ErrorCode.MESSAGE_TOO_LARGE)));
    c.add(
        quick(
            "empty ciphertext",
            "SendMessage with a 0-byte ciphertext",
            "Error INVALID_REQUEST, open",
            () ->
                loggedInSend(
                    "empty",
                    to -> message(to, p.random(16), new byte[0]),
                    ErrorCode.INVALID_REQUEST)));
    c.add(
        quick(
            "send to an unknown user",
            "SendMessage to a name never registered",
            "Error UNKNOWN_USER, open",
            () ->
                loggedInSend(
                    "lost",
                    to -> message(name("nosuch"), p.random(16), p.random(100)),
                    ErrorCode.UNKNOWN_USER)));
    c.add(
        quick(
            "message id of 15 bytes",
            "SendMessage{message_id: 15 bytes}",
            "Error INVALID_REQUEST, open",
            () ->
                loggedInSend(
                    "id15",
                    to -> message(to, p.random(15), p.random(100)),
                    ErrorCode.INVALID_REQUEST)));
    c.add(
        quick(
            "recipient device 2",
            "SendMessage to (existing user, device 2)",
            "Error INVALID_REQUEST, open",
            () ->
                loggedInSend(
                    "dev2",
                    to -> {
                      Frame.Builder m = message(to, p.random(16), p.random(100));
                      m.getSendMessageBuilder()
                          .getEnvelopeBuilder()
                          .getRecipientBuilder()
                          .setDeviceId(2);
                      return m;
                    },
                    ErrorCode.INVALID_REQUEST)));
    c.add(
        quick(
            "envelope type unspecified",
            "SendMessage{type: 0}",
            "Error INVALID_REQUEST, open",
            () ->
                loggedInSend(
                    "type0",
                    to -> {
                      Frame.Builder m = message(to, p.random(16), p.random(100));
                      m.getSendMessageBuilder()
                          .getEnvelopeBuilder()
                          .setType(EnvelopeType.ENVELOPE_UNSPECIFIED);
                      return m;
                    },
                    ErrorCode.INVALID_REQUEST)));
    c.add(
        quick(
            "ack of unknown ids",
            "AckMessages with 100 random 16-byte ids",
            "Ok (acks are idempotent; nothing to delete), open",
            () -> {
              try (RawClient k = p.registered(name("ack"))) {
                AckMessages.Builder a = AckMessages.newBuilder();
                for (int i = 0; i < 100; i++) {
                  a.addMessageIds(ByteString.copyFrom(p.random(16)));
                }
                Reply r = send(k, 3, Frame.newBuilder().setAckMessages(a));
                return Outcome.of(is(r, Frame.BodyCase.OK), describe(r));
              }
            }));
    c.add(
        quick(
            "ack of too many ids",
            "AckMessages with 1,001 ids",
            "Error INVALID_REQUEST (at most 1,000), open",
            () -> {
              try (RawClient k = p.registered(name("ackmany"))) {
                AckMessages.Builder a = AckMessages.newBuilder();
                for (int i = 0; i < 1001; i++) {
                  a.addMessageIds(ByteString.copyFrom(p.random(16)));
                }
                Reply r = send(k, 3, Frame.newBuilder().setAckMessages(a));
                return errorStaysOpen(k, r, ErrorCode.INVALID_REQUEST);
              }
            }));
    c.add(
        quick(
            "ack of a 5-byte id",
            "AckMessages{message_ids: [5 bytes]}",
            "Error INVALID_REQUEST, open",
            () -> {
              try (RawClient k = p.registered(name("ack5"))) {
                Reply r =
                    send(
                        k,
                        3,
                        Frame.newBuilder()
                            .setAckMessages(
                                AckMessages.newBuilder()
                                    .addMessageIds(ByteString.copyFrom(p.random(5)))));
                return errorStaysOpen(k, r, ErrorCode.INVALID_REQUEST);
              }
            }));
    c.add(
        quick(
            "UploadPreKeys with garbage keys",
            "UploadPreKeys with a 5-byte signing key and random 10-byte prekeys",
            "Error INVALID_PRE_KEYS, open",
            () -> {
              try (RawClient k = p.registered(name("pk"))) {
                SignedPreKey junk =
                    SignedPreKey.newBuilder()
                        .setId(1)
                        .setPublicKey(ByteString.copyFrom(p.random(10)))
                        .setSignature(ByteString.copyFrom(p.random(10)))
                        .build();
                Reply r =
                    send(
                        k,
                        3,
                        Frame.newBuilder()
                            .setUploadPreKeys(
                                UploadPreKeys.newBuilder()
                                    .setIdentitySigningKey(ByteString.copyFrom(p.random(5)))
                                    .setIdentityAgreementKey(junk)
                                    .setSignedPreKey(junk)
                                    .setLastResortKemPreKey(junk)));
                return errorStaysOpen(k, r, ErrorCode.INVALID_PRE_KEYS);
              }
            }));
    c.add(
        quick(
            "prekey bundle of an unknown user",
            "FetchPreKeyBundle for a name never registered",
            "Error UNKNOWN_USER, open",
            () -> {
              try (RawClient k = p.registered(name("fetch"))) {
                return errorStaysOpen(k, send(k, 3, fetch(name("nosuch"))), ErrorCode.UNKNOWN_USER);
              }
            }));
    c.add(
        quick(
            "Block oneself, Block an unknown user",
            "Block{own name}; Block{a name never registered}",
            "Error INVALID_REQUEST; Error UNKNOWN_USER; open",
            () -> {
              String n = name("blk");
              try (RawClient k = p.registered(n)) {
                Reply self =
                    send(k, 3, Frame.newBuilder().setBlock(Block.newBuilder().setUsername(n)));
                Reply ghost =
                    send(
                        k,
                        4,
                        Frame.newBuilder()
                            .setBlock(Block.newBuilder().setUsername(name("nosuch"))));
                Outcome open = errorStaysOpen(k, ghost, ErrorCode.UNKNOWN_USER);
                return Outcome.of(
                    isError(self, ErrorCode.INVALID_REQUEST) && open.pass(),
                    describe(self) + "; " + open.observed());
              }
            }));
    c.add(
        quick(
            "connection dropped mid-frame",
            "logged in, half of a SendMessage frame (to an offline user), then a TCP reset",
            "nothing stored: the recipient's next login has an empty backlog; sender logs in again",
            () -> {
              String to = name("dropto");
              String from = name("dropfrom");
              p.account(to);
              RawClient k = p.registered(from);
              byte[] whole = frameBytes(message(to, p.random(16), p.random(4000)).setRequestId(3));
              k.write(java.util.Arrays.copyOf(whole, whole.length / 2));
              Thread.sleep(200);
              k.reset();
              Thread.sleep(500);
              try (RawClient again = p.loggedIn(from);
                  RawClient rcpt = p.loggedIn(to)) {
                RawClient.Drain d = rcpt.drain(Duration.ofSeconds(2));
                long pushes = d.frames().stream().filter(Frame::hasMessagePush).count();
                long summaries =
                    d.frames().stream()
                        .filter(Frame::hasBacklogSummary)
                        .mapToLong(f -> f.getBacklogSummary().getCountsCount())
                        .sum();
                Reply pong = send(again, 9, ping(1));
                return Outcome.of(
                    pushes == 0 && summaries == 0 && is(pong, Frame.BodyCase.PONG),
                    "recipient backlog: "
                        + pushes
                        + " pushes, "
                        + summaries
                        + " senders; sender logged in again, Ping: "
                        + describe(pong));
              }
            }));
  }

  // ------------------------------------------------------------------ floods and concurrency

  private void floods(List<Case> c) {
    c.add(
        quick(
            "request flood before login",
            "Hello, then 150 Pings in one write (one source address)",
            "every Ping answered (Pong or Error RATE_LIMITED with retry_after_ms), some RATE_LIMITED, open",
            () -> {
              try (RawClient k = p.greeted()) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (int i = 0; i < 150; i++) {
                  all.write(frameBytes(ping(i).setRequestId(10 + i)));
                }
                k.write(all.toByteArray());
                Map<String, Integer> counts = tally(k, 150);
                Reply again = send(k, 1000, ping(1));
                int limited = counts.getOrDefault("RATE_LIMITED+retry", 0);
                int pongs = counts.getOrDefault("PONG", 0);
                boolean answered =
                    is(again, Frame.BodyCase.PONG) || isError(again, ErrorCode.RATE_LIMITED);
                return Outcome.of(
                    limited > 0 && limited + pongs == 150 && answered,
                    counts + "; then " + describe(again));
              }
            }));
    c.add(
        quick(
            "login flood on one account",
            "40 Logins with wrong keys for one existing account, one after another",
            "Error AUTH_FAILED at first, then RATE_LIMITED with retry_after_ms; nothing else",
            () -> {
              String n = name("victim");
              p.account(n);
              try (RawClient k = p.greeted()) {
                Map<String, Integer> counts = new java.util.TreeMap<>();
                for (int i = 0; i < 40; i++) {
                  Reply r = send(k, 10 + i, login(n, ByteString.copyFrom(p.random(32))));
                  counts.merge(label(r), 1, Integer::sum);
                }
                int failed = counts.getOrDefault("AUTH_FAILED", 0);
                int limited = counts.getOrDefault("RATE_LIMITED+retry", 0);
                return Outcome.of(
                    failed > 0 && limited > 0 && failed + limited == 40, counts.toString());
              }
            }));
    c.add(
        quick(
            "prekey fetch flood",
            "logged in, 200 FetchPreKeyBundle for one user in one write",
            "all answered: NO_PRE_KEYS (no keys uploaded) until the rate limit, then RATE_LIMITED with retry_after_ms",
            () -> {
              String target = name("keyless");
              p.account(target);
              try (RawClient k = p.registered(name("fetcher"))) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (int i = 0; i < 200; i++) {
                  all.write(frameBytes(fetch(target).setRequestId(10 + i)));
                }
                k.write(all.toByteArray());
                Map<String, Integer> counts = tally(k, 200);
                int none = counts.getOrDefault("NO_PRE_KEYS", 0);
                int limited = counts.getOrDefault("RATE_LIMITED+retry", 0);
                return Outcome.of(
                    none > 0 && limited > 0 && none + limited == 200, counts.toString());
              }
            }));
    c.add(
        quick(
            "presence flood",
            "logged in, 30 SetPresence (ONLINE/AWAY alternating) one after another",
            "Ok for the first 10 or so, then RATE_LIMITED with retry_after_ms",
            () -> {
              try (RawClient k = p.registered(name("flip"))) {
                Map<String, Integer> counts = new java.util.TreeMap<>();
                for (int i = 0; i < 30; i++) {
                  PresenceState s = i % 2 == 0 ? PresenceState.AWAY : PresenceState.ONLINE;
                  Reply r =
                      send(
                          k,
                          10 + i,
                          Frame.newBuilder()
                              .setSetPresence(SetPresence.newBuilder().setPresence(s)));
                  counts.merge(label(r), 1, Integer::sum);
                }
                int ok = counts.getOrDefault("OK", 0);
                int limited = counts.getOrDefault("RATE_LIMITED+retry", 0);
                return Outcome.of(ok >= 10 && limited > 0 && ok + limited == 30, counts.toString());
              }
            }));
    c.add(
        alone(
            "200 concurrent registrations",
            "200 Registers of distinct names, 32 at a time, from 25 source addresses",
            "200 LoginOk",
            () -> {
              List<String> addrs = new ArrayList<>();
              for (int i = 0; i < 25; i++) {
                addrs.add(p.address());
              }
              Map<String, Integer> counts =
                  parallel(
                      200,
                      32,
                      i -> {
                        try (RawClient k = p.greeted(addrs.get(i % 25))) {
                          return label(send(k, 2, register(name("crowd" + i), key())));
                        }
                      });
              return Outcome.of(counts.getOrDefault("LOGIN_OK", 0) == 200, counts.toString());
            }));
    c.add(
        alone(
            "one name registered 10 times at once",
            "10 concurrent Registers of the same name from 10 addresses (the per-name throttle"
                + " allows 10 attempts in a burst)",
            "exactly one LoginOk, 9 Error USERNAME_TAKEN",
            () -> {
              String n = name("race");
              Map<String, Integer> counts =
                  parallel(
                      10,
                      10,
                      i -> {
                        try (RawClient k = p.greeted()) {
                          return label(send(k, 2, register(n, key())));
                        }
                      });
              return Outcome.of(
                  counts.getOrDefault("LOGIN_OK", 0) == 1
                      && counts.getOrDefault("USERNAME_TAKEN", 0) == 9,
                  counts.toString());
            }));
    c.add(
        alone(
            "fast reconnect churn",
            "400 x (TCP, TLS 1.3, Hello, Welcome, close), 8 at a time, 40 source addresses",
            "400 Welcome",
            () -> {
              List<String> addrs = new ArrayList<>();
              for (int i = 0; i < 40; i++) {
                addrs.add(p.address());
              }
              long t0 = System.nanoTime();
              Map<String, Integer> counts =
                  parallel(
                      400,
                      8,
                      i -> {
                        try (RawClient k = RawClient.tls(p.host, p.port, addrs.get(i % 40))) {
                          return label(send(k, 1, hello(1)));
                        }
                      });
              double s = (System.nanoTime() - t0) / 1e9;
              return Outcome.of(
                  counts.getOrDefault("WELCOME", 0) == 400,
                  counts + String.format(java.util.Locale.ROOT, " in %.1f s (%.0f/s)", s, 400 / s));
            }));
    c.add(
        alone(
            "slow reader",
            "logged in, 2,000 ListUsers in one write, then 5 s without reading, then reading",
            "all 2,000 answered with UserList, no error, open (the server pauses reading instead of buffering)",
            () -> {
              try (RawClient k = p.registered(name("slow"))) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (int i = 0; i < 2000; i++) {
                  all.write(
                      frameBytes(
                          Frame.newBuilder()
                              .setListUsers(ListUsers.getDefaultInstance())
                              .setRequestId(10 + i)));
                }
                k.write(all.toByteArray());
                Thread.sleep(5000);
                Map<String, Integer> counts = tally(k, 2000);
                Reply pong = send(k, 99_999, ping(1));
                return Outcome.of(
                    counts.getOrDefault("USER_LIST", 0) == 2000 && is(pong, Frame.BodyCase.PONG),
                    counts + "; then " + describe(pong));
              }
            }));
    c.add(
        alone(
            "large messages to an offline user",
            "user A sends an offline user 600 messages of 64 KiB (37.5 MiB), at most 32 unanswered,"
                + " waiting out RATE_LIMITED and resending as a client does",
            "600 Stored (within the 100 MiB mailbox quota), after RATE_LIMITED answers with"
                + " retry_after_ms (the per-account send limit: 4 MiB at once, then 1 MiB/s)",
            () -> {
              String to = name("away");
              p.account(to);
              try (RawClient loud = p.registered(name("bulk"))) {
                long s0 = System.nanoTime();
                Map<String, Integer> counts = sendLarge(loud, to, 600);
                double s = (System.nanoTime() - s0) / 1e9;
                return Outcome.of(
                    counts.getOrDefault("STORED", 0) == 600
                        && counts.getOrDefault("RATE_LIMITED+retry, resent", 0) > 0,
                    counts
                        + String.format(
                            java.util.Locale.ROOT, " in %.1f s (%.1f MiB/s)", s, 600 / 16.0 / s));
              }
            }));
    c.add(
        alone(
            "client that never reads while large messages are pushed",
            "user B logged in and never reading; user A sends B 600 messages of 64 KiB (37.5 MiB),"
                + " waiting out RATE_LIMITED",
            "A gets 600 Stored; B is closed by the server (slow reader, 30 s); B's next login gets all 600 back",
            this::neverReader));
  }

  private Outcome neverReader() throws Exception {
    String b = name("deaf");
    String a = name("loud");
    int n = 600;
    RawClient deaf = p.registered(b);
    long closedAtLeast;
    Map<String, Integer> counts;
    double storeSeconds;
    try (RawClient loud = p.registered(a)) {
      long s0 = System.nanoTime();
      counts = sendLarge(loud, b, n);
      storeSeconds = (System.nanoTime() - s0) / 1e9;
    }
    long t0 = System.nanoTime();
    Thread.sleep(45_000); // the slow-reader timeout is 30 s
    long drained = deaf.drainBytes(Duration.ofSeconds(20));
    closedAtLeast = (System.nanoTime() - t0) / 1_000_000_000;
    deaf.close();
    long backlog;
    try (RawClient again = p.loggedIn(b)) {
      backlog = -1;
      long end = System.nanoTime() + REPLY.toNanos();
      while (System.nanoTime() < end) {
        Reply r = again.read(REPLY);
        if (!(r instanceof Reply.Got g)) {
          break;
        }
        if (g.frame().hasBacklogSummary()) {
          backlog =
              g.frame().getBacklogSummary().getCountsList().stream()
                  .filter(x -> x.getSender().equals(a))
                  .mapToLong(x -> x.getCount())
                  .sum();
          break;
        }
      }
    }
    boolean stored = counts.getOrDefault("STORED", 0) == n;
    return Outcome.of(
        stored && drained >= 0 && backlog == n,
        "sender: "
            + counts
            + String.format(
                java.util.Locale.ROOT,
                " in %.1f s (%.1f MiB/s, at most 32 unanswered, one after a RATE_LIMITED)",
                storeSeconds,
                n / 16.0 / storeSeconds)
            + "; B: "
            + (drained >= 0
                ? "closed by the server (" + drained / 1024 + " KiB were in flight to it)"
                : "still open after " + closedAtLeast + " s")
            + "; B's next login: backlog of "
            + backlog
            + " from A");
  }

  /**
   * Sends {@code n} messages of 64 KiB to {@code to}, at most 32 unanswered, as the client does: a
   * {@code RATE_LIMITED} answer stops all sending for its {@code retry_after_ms}; from then on one
   * message is unanswered at a time, the oldest first, each under its own id. Counts the final
   * answers; the refusals that were waited out are counted as {@code RATE_LIMITED+retry, resent}.
   */
  private Map<String, Integer> sendLarge(RawClient from, String to, int n)
      throws IOException, InterruptedException {
    byte[] payload = p.random(64 * 1024);
    java.util.TreeMap<Integer, byte[]> queue = new java.util.TreeMap<>();
    for (int i = 0; i < n; i++) {
      queue.put(i, p.random(16));
    }
    Map<Long, Map.Entry<Integer, byte[]>> byRequest = new java.util.HashMap<>();
    Map<String, Integer> counts = new java.util.TreeMap<>();
    long nextRequest = 10;
    long pausedUntil = System.nanoTime();
    int done = 0;
    int resent = 0;
    while (done < n) {
      int window = resent > 0 ? 1 : 32;
      if (!queue.isEmpty() && byRequest.size() < window && System.nanoTime() - pausedUntil >= 0) {
        Map.Entry<Integer, byte[]> next = queue.pollFirstEntry();
        byRequest.put(nextRequest, next);
        from.write(frameBytes(message(to, next.getValue(), payload).setRequestId(nextRequest++)));
        continue;
      }
      if (byRequest.isEmpty()) {
        Thread.sleep(Math.max(1, (pausedUntil - System.nanoTime()) / 1_000_000));
        continue;
      }
      Reply r = from.read(Duration.ofSeconds(30));
      if (!(r instanceof Reply.Got g)) {
        counts.merge(label(r), 1, Integer::sum);
        break;
      }
      Map.Entry<Integer, byte[]> sent = byRequest.remove(g.frame().getRequestId());
      if (sent == null) {
        continue; // a push
      }
      if (isError(r, ErrorCode.RATE_LIMITED) && g.frame().getError().getRetryAfterMs() > 0) {
        resent++;
        queue.put(sent.getKey(), sent.getValue());
        long until = System.nanoTime() + g.frame().getError().getRetryAfterMs() * 1_000_000L;
        pausedUntil = Math.max(pausedUntil, until);
        continue;
      }
      counts.merge(label(r), 1, Integer::sum);
      done++;
    }
    if (resent > 0) {
      counts.put("RATE_LIMITED+retry, resent", resent);
    }
    return counts;
  }

  // ------------------------------------------------------------------ transport

  private void transport(List<Case> c) {
    c.add(
        alone(
            halfOpen + " half-open TCP connections",
            halfOpen + " TCP connects with no TLS ClientHello, held open",
            "while held, a new client still gets Welcome; all dropped by the server's TLS handshake timeout (10 s)",
            this::halfOpen));
    c.add(
        quick(
            "TLS handshake, then silence",
            "TLS 1.3 handshake, then no byte",
            "the login timeout (10 s): Error TIMEOUT, close",
            () -> {
              try (RawClient k = p.tls()) {
                return errorThenClose(k, ErrorCode.TIMEOUT, Duration.ofSeconds(12));
              }
            }));
    c.add(
        quick(
            "TLS 1.2-only client",
            "a ClientHello offering only TLS 1.2",
            "handshake refused",
            () -> {
              try (RawClient k = RawClient.tls(p.host, p.port, p.address(), "TLSv1.2")) {
                return Outcome.of(false, "handshake completed with TLS 1.2");
              } catch (IOException e) {
                return Outcome.of(true, "refused: " + e.getClass().getSimpleName());
              }
            }));
    c.add(
        quick(
            "plaintext frame on the TLS port",
            "a valid Hello frame over plain TCP",
            "closed; no frame comes back",
            () -> plaintext(frameBytes(hello(1).setRequestId(1)))));
    c.add(
        quick(
            "plaintext HTTP on the TLS port",
            "GET / HTTP/1.1 over plain TCP",
            "closed; no frame comes back",
            () ->
                plaintext(
                    "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII))));
    c.add(
        quick(
            "random bytes instead of a ClientHello",
            "2,000 random bytes over plain TCP",
            "closed; no frame comes back",
            () -> {
              byte[] junk = p.random(2000);
              junk[0] = 0x16; // looks like a TLS handshake record at first
              return plaintext(junk);
            }));
  }

  private Outcome halfOpen() throws Exception {
    List<Socket> held = new ArrayList<>();
    int failed = 0;
    String firstFailure = "";
    List<String> addrs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      addrs.add(p.address());
    }
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < halfOpen; i++) {
        try {
          held.add(RawClient.tcp(p.host, p.port, addrs.get(i % addrs.size())));
        } catch (IOException e) {
          if (failed++ == 0) {
            firstFailure = e.toString();
          }
        }
      }
      double openS = (System.nanoTime() - t0) / 1e9;
      long t1 = System.nanoTime();
      String fresh;
      boolean freshOk;
      try (RawClient k = p.greeted()) {
        freshOk = true;
        fresh =
            String.format(
                java.util.Locale.ROOT, "Welcome in %.0f ms", (System.nanoTime() - t1) / 1e6);
      } catch (IOException e) {
        freshOk = false;
        fresh = "fresh client failed: " + e.getMessage();
      }
      Thread.sleep(Math.max(0, 22_000 - (System.nanoTime() - t0) / 1_000_000));
      int closed = 0;
      for (Socket s : held) {
        s.setSoTimeout(1);
        try {
          if (s.getInputStream().read() < 0) {
            closed++;
          }
        } catch (java.net.SocketTimeoutException e) {
          // still open
        } catch (IOException e) {
          closed++;
        }
      }
      return Outcome.of(
          freshOk && failed == 0 && closed == held.size(),
          String.format(
              java.util.Locale.ROOT,
              "%d connected in %.1f s (%d failed%s); %s; after 22 s %d of %d closed by the server",
              held.size(),
              openS,
              failed,
              failed > 0 ? ": " + firstFailure : "",
              fresh,
              closed,
              held.size()));
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  private Outcome plaintext(byte[] bytes) throws IOException {
    try (RawClient k = RawClient.plain(p.host, p.port, p.address())) {
      k.write(bytes);
      long n = k.drainBytes(Duration.ofSeconds(15));
      return Outcome.of(
          n >= 0 && n < 4 + 16,
          n < 0 ? "still open after 15 s" : "closed by the server; " + n + " bytes came back");
    } catch (IOException e) {
      return Outcome.of(true, "closed by the server (" + e.getClass().getSimpleName() + ")");
    }
  }

  // ------------------------------------------------------------------ helpers

  private final AtomicInteger names = new AtomicInteger();

  /** A fresh account name for this run. */
  private String name(String stem) {
    return stem + "-" + names.incrementAndGet();
  }

  private ByteString key() {
    return ByteString.copyFrom(p.random(32));
  }

  private static Case quick(String name, String sent, String expected, Case.Check check) {
    return new Case(name, sent, expected, false, check);
  }

  private static Case alone(String name, String sent, String expected, Case.Check check) {
    return new Case(name, sent, expected, true, check);
  }

  private Outcome rawThenError(byte[] bytes, ErrorCode code) throws IOException {
    try (RawClient k = p.tls()) {
      k.write(bytes);
      return errorThenClose(k, code);
    }
  }

  private Outcome wrongVersion(int version) throws IOException {
    try (RawClient k = p.tls()) {
      k.send(hello(version).setRequestId(1).build());
      Reply r = k.await(1, REPLY);
      boolean names1 =
          r instanceof Reply.Got g
              && g.frame().getError().getSupportedVersionsList().equals(List.of(1));
      boolean closed = k.drain(REPLY).closed();
      return Outcome.of(
          isError(r, ErrorCode.UNSUPPORTED_VERSION) && names1 && closed,
          describe(r)
              + (names1 ? " naming [1]" : " without [1]")
              + "; "
              + (closed ? "closed" : "still open"));
    }
  }

  private Outcome eachInvalid(List<Frame.Builder> frames, ErrorCode code) throws IOException {
    try (RawClient k = p.greeted()) {
      StringBuilder seen = new StringBuilder();
      boolean all = true;
      long rid = 2;
      for (Frame.Builder f : frames) {
        Reply r = send(k, rid++, f);
        all &= isError(r, code);
        seen.append(describe(r)).append("; ");
      }
      Outcome open = errorStaysOpen(k, send(k, rid, frames.get(0)), code);
      return Outcome.of(all && open.pass(), seen + open.observed());
    }
  }

  @FunctionalInterface
  private interface MessageTo {
    Frame.Builder to(String recipient);
  }

  private Outcome loggedInSend(String stem, MessageTo make, ErrorCode code) throws IOException {
    String to = name(stem + "-to");
    p.account(to);
    try (RawClient k = p.registered(name(stem))) {
      return errorStaysOpen(k, send(k, 3, make.to(to)), code);
    }
  }

  private static Frame.Builder message(String to, byte[] id, byte[] ciphertext) {
    return Frame.newBuilder()
        .setSendMessage(
            SendMessage.newBuilder()
                .setEnvelope(
                    Envelope.newBuilder()
                        .setMessageId(ByteString.copyFrom(id))
                        .setRecipient(Address.newBuilder().setUser(to).setDeviceId(1))
                        .setType(EnvelopeType.MESSAGE)
                        .setCiphertext(ByteString.copyFrom(ciphertext))));
  }

  private static Frame.Builder fetch(String user) {
    return Frame.newBuilder()
        .setFetchPreKeyBundle(
            FetchPreKeyBundle.newBuilder()
                .setAddress(Address.newBuilder().setUser(user).setDeviceId(1)));
  }

  /**
   * A reply as a tally key: the body kind, or the error code (+retry when retry_after_ms is set).
   */
  static String label(Reply r) {
    if (r instanceof Reply.Got g) {
      Frame f = g.frame();
      if (f.hasError()) {
        return f.getError().getCode() + (f.getError().hasRetryAfterMs() ? "+retry" : "");
      }
      return f.getBodyCase().name();
    }
    return r instanceof Reply.Closed ? "CLOSED" : "SILENCE";
  }

  /** Reads {@code n} answers (pushes with request id 0 are skipped) and counts them by label. */
  private static Map<String, Integer> tally(RawClient k, int n) throws IOException {
    Map<String, Integer> counts = new java.util.TreeMap<>();
    int got = 0;
    while (got < n) {
      Reply r = k.read(Duration.ofSeconds(30));
      if (r instanceof Reply.Got g && g.frame().getRequestId() == 0) {
        continue;
      }
      counts.merge(label(r), 1, Integer::sum);
      got++;
      if (!(r instanceof Reply.Got)) {
        break;
      }
    }
    return counts;
  }

  private static Map<String, Integer> merge(Map<String, Integer> a, Map<String, Integer> b) {
    Map<String, Integer> m = new java.util.TreeMap<>(a);
    b.forEach((k, v) -> m.merge(k, v, Integer::sum));
    return m;
  }

  @FunctionalInterface
  private interface Attempt {
    String run(int i) throws Exception;
  }

  /** Runs {@code n} attempts, {@code threads} at a time, and counts their labels. */
  private static Map<String, Integer> parallel(int n, int threads, Attempt attempt)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<String>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        all.add(
            pool.submit(
                () -> {
                  try {
                    return attempt.run(k);
                  } catch (Exception e) {
                    return e.getClass().getSimpleName();
                  }
                }));
      }
      Map<String, Integer> counts = new java.util.TreeMap<>();
      for (Future<String> f : all) {
        counts.merge(f.get(), 1, Integer::sum);
      }
      return counts;
    } finally {
      pool.shutdownNow();
    }
  }

  static byte[] lengthPrefix(long length) {
    return ByteBuffer.allocate(4).putInt((int) length).array();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static byte[] frameBytes(Frame.Builder f) {
    return frameBytes(f.build());
  }

  static byte[] frameBytes(Frame f) {
    return concat(lengthPrefix(f.getSerializedSize()), f.toByteArray());
  }

  static byte[] varint(int v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((v & ~0x7f) != 0) {
      out.write((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.write(v);
    return out.toByteArray();
  }

  static UnknownFieldSet unknownField(int number, ByteString value) {
    return UnknownFieldSet.newBuilder()
        .addField(number, UnknownFieldSet.Field.newBuilder().addLengthDelimited(value).build())
        .build();
  }

  /**
   * {@code frame} with an unknown length-delimited field (999) making its body exactly {@code
   * bodyBytes} long.
   */
  static Frame padded(Frame.Builder frame, int bodyBytes) {
    int pad = Math.max(0, bodyBytes - frame.build().getSerializedSize() - 6);
    for (int attempt = 0; attempt < 8; attempt++) {
      Frame f =
          frame
              .clone()
              .setUnknownFields(unknownField(999, ByteString.copyFrom(new byte[pad])))
              .build();
      int size = f.getSerializedSize();
      if (size == bodyBytes) {
        return f;
      }
      pad = Math.max(0, pad + bodyBytes - size);
    }
    throw new IllegalArgumentException("cannot pad to exactly " + bodyBytes + " bytes");
  }
}
