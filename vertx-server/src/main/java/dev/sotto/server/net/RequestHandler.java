package dev.sotto.server.net;

import dev.sotto.server.request.RequestException;
import dev.sotto.wire.proto.Frame;
import io.vertx.core.Future;

/**
 * Handles one kind of request frame. Runs on the connection's event loop and must not block; slow
 * work (the store) is awaited through futures turned back onto the connection's context with {@link
 * Connection#onContext}.
 */
@FunctionalInterface
public interface RequestHandler {

  /**
   * Handles {@code request}.
   *
   * @return the response frame (its request id is set by the connection); a failure with {@link
   *     RequestException}, {@link dev.sotto.wire.WireException} or {@link
   *     dev.sotto.server.account.RequestException} becomes an {@code Error} frame with its code;
   *     any other failure becomes {@code INTERNAL}
   */
  Future<Frame> handle(Connection connection, Frame request);
}
