package dev.sotto.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

/**
 * A minimal XMPP client (RFC 6120): stream header, STARTTLS, SASL PLAIN, resource bind, initial
 * presence, then {@code <message type='chat'>} with the ciphertext as a base64 body and the 16-byte
 * message id as the stanza's hex {@code id}. XMPP has no delivery acks or store receipts without
 * extensions, so the only per-message frames are the message in and the message out; a batch's end
 * is marked with an XEP-0199 ping whose result comes back after the batch has been routed.
 */
final class XmppConnection extends LoadConnection {
  private static final String STREAM_HEADER_FORMAT =
      "<?xml version='1.0'?><stream:stream to='%s' xmlns='jabber:client'"
          + " xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
  private static final HexFormat HEX = HexFormat.of();

  private final String domain;
  private final String password;
  private final ClientSSLOptions tls;
  private final XmppStreamSplitter splitter = new XmppStreamSplitter(1 << 20);
  private Promise<String> waiter;
  private Predicate<String> waitingFor;
  private long nextPing = 1;
  private boolean ready;

  XmppConnection(
      int index,
      String username,
      Sink sink,
      List<LoadConnection> dirtyList,
      NetClient client,
      String host,
      int port,
      String domain,
      String password,
      ClientSSLOptions tls) {
    super(index, username, sink, dirtyList, client, host, port);
    this.domain = domain;
    this.password = password;
    this.tls = tls;
  }

  @Override
  Future<Void> open() {
    return connect()
        .compose(
            s -> {
              s.handler(
                  buf -> {
                    try {
                      byte[] b = buf.getBytes();
                      splitter.feed(b, 0, b.length, this::onStanza);
                    } catch (RuntimeException e) {
                      sink.failed(this, "bad XML from the server: " + e.getMessage());
                      s.close();
                    }
                  });
              return restartStream(st -> Xml.name(st).equals("stream:features"));
            })
        .compose(
            features -> {
              if (!features.contains("<starttls")) {
                return Future.failedFuture("server offers no STARTTLS");
              }
              return write(
                  "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
                  st -> Xml.name(st).equals("proceed") || Xml.name(st).equals("failure"));
            })
        .compose(
            proceed -> {
              if (!Xml.name(proceed).equals("proceed")) {
                return Future.failedFuture("STARTTLS refused");
              }
              splitter.reset();
              return socket
                  .upgradeToSsl(domain)
                  .onFailure(e -> sink.failed(this, "STARTTLS: " + e));
            })
        .compose(v -> restartStream(st -> Xml.name(st).equals("stream:features")))
        .compose(
            features -> {
              if (!features.contains(">PLAIN<")) {
                return Future.failedFuture("server offers no SASL PLAIN");
              }
              String token =
                  Base64.getEncoder()
                      .encodeToString(
                          ("\0" + username + "\0" + password).getBytes(StandardCharsets.UTF_8));
              return write(
                  "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"
                      + token
                      + "</auth>",
                  st -> Xml.name(st).equals("success") || Xml.name(st).equals("failure"));
            })
        .compose(
            auth -> {
              if (!Xml.name(auth).equals("success")) {
                return Future.failedFuture(username + ": SASL PLAIN failed");
              }
              splitter.reset();
              return restartStream(st -> Xml.name(st).equals("stream:features"));
            })
        .compose(
            features ->
                write(
                    "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                        + "<resource>lg</resource></bind></iq>",
                    st -> Xml.name(st).equals("iq") && "bind".equals(Xml.attribute(st, "id"))))
        .compose(
            bound -> {
              if (!"result".equals(Xml.attribute(bound, "type"))) {
                return Future.failedFuture(username + ": resource bind failed");
              }
              return Future.succeededFuture();
            });
  }

  /**
   * Sends initial presence: the server then routes chat to this resource and delivers the offline
   * messages it holds.
   */
  void announce() {
    ready = true;
    out.appendString("<presence/>");
    markDirty();
  }

  private Future<String> restartStream(Predicate<String> until) {
    return write(String.format(STREAM_HEADER_FORMAT, Xml.escape(domain)), until);
  }

  private Future<String> write(String xml, Predicate<String> until) {
    Promise<String> p = Promise.promise();
    waiter = p;
    waitingFor = until;
    socket.write(xml);
    return p.future();
  }

  private void onStanza(String stanza) {
    if (waiter != null) {
      if (waitingFor.test(stanza)) {
        Promise<String> p = waiter;
        waiter = null;
        p.complete(stanza);
      }
      return;
    }
    String name = Xml.name(stanza);
    long now = System.nanoTime();
    if (name.equals("message")) {
      String id = Xml.attribute(stanza, "id");
      if (id != null && id.length() == 32) {
        sink.delivered(this, HEX.parseHex(id), now);
      }
    } else if (name.equals("iq")) {
      String id = Xml.attribute(stanza, "id");
      if (id != null && id.startsWith("p")) {
        sink.batchStored(this, now);
      }
    } else if (name.equals("/stream:stream") || name.equals("stream:error")) {
      sink.failed(this, "stream closed by the server: " + stanza);
    }
  }

  @Override
  void send(LoadConnection to, byte[] id, Payload payload) {
    out.appendString("<message type='chat' to='")
        .appendString(to.username)
        .appendString("@")
        .appendString(domain)
        .appendString("' id='")
        .appendString(HEX.formatHex(id))
        .appendString("'><body>")
        .appendString(payload.base64())
        .appendString("</body></message>");
    markDirty();
  }

  @Override
  void markBatchEnd() {
    out.appendString("<iq type='get' id='p")
        .appendString(Long.toString(nextPing++))
        .appendString("' to='")
        .appendString(domain)
        .appendString("'><ping xmlns='urn:xmpp:ping'/></iq>");
    markDirty();
  }

  boolean ready() {
    return ready;
  }
}
