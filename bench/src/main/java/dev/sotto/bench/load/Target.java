package dev.sotto.bench.load;

/** What the load generator talks to. */
public enum Target {
  /** The Sotto server: real accounts, the real protocol over TLS 1.3. */
  SOTTO,
  /** The limit relay ({@code dev.sotto.bench.relay.LimitRelay}): Sotto's frames, no accounts. */
  RELAY,
  /** An XMPP server (ejabberd): STARTTLS, SASL PLAIN, resource bind, {@code <message>}. */
  XMPP
}
