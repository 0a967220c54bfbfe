package dev.sotto.server.net;

import dev.sotto.wire.proto.Frame;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The dispatch table: which handler serves each kind of request frame, and what state the
 * connection must be in. A frame kind with no route (every server-only kind such as {@code
 * Welcome}) is answered {@code UNKNOWN_REQUEST}. Later features add their routes here (messaging,
 * prekeys, presence) without touching the connection code. Build it completely before the server
 * starts; it is read concurrently afterwards and must not change.
 */
public final class Dispatcher {

  /** What a connection must have done before a request kind is accepted. */
  public enum Access {
    /** Before {@code Hello} (only {@code Hello} itself). */
    ANY,
    /** After {@code Hello}, logged in or not. */
    GREETED,
    /** After {@code Hello} and before login (register, login). */
    GREETED_NOT_AUTHENTICATED,
    /** After login. */
    AUTHENTICATED
  }

  /**
   * One entry of the table.
   *
   * @param access the required state
   * @param exclusive whether the request runs alone: no other request of the connection is in
   *     flight while it runs (requests that change the connection's state: login, logout, password
   *     change)
   * @param handler the handler
   */
  public record Route(Access access, boolean exclusive, RequestHandler handler) {
    public Route {
      Objects.requireNonNull(access, "access");
      Objects.requireNonNull(handler, "handler");
    }
  }

  private final Map<Frame.BodyCase, Route> routes = new EnumMap<>(Frame.BodyCase.class);

  /**
   * Adds a route.
   *
   * @throws IllegalStateException if {@code kind} already has one
   */
  public Dispatcher route(
      Frame.BodyCase kind, Access access, boolean exclusive, RequestHandler handler) {
    Objects.requireNonNull(kind, "kind");
    if (kind == Frame.BodyCase.BODY_NOT_SET) {
      throw new IllegalArgumentException("cannot route a frame without a body");
    }
    if (routes.putIfAbsent(kind, new Route(access, exclusive, handler)) != null) {
      throw new IllegalStateException(kind + " already has a route");
    }
    return this;
  }

  /** The route of {@code kind}, or empty for kinds clients may not send. */
  public Optional<Route> find(Frame.BodyCase kind) {
    return Optional.ofNullable(routes.get(kind));
  }
}
