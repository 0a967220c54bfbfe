package dev.sotto.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the bytes a connection reads and writes at the bottom of its Netty pipeline, below TLS:
 * the bytes on the wire, less TCP/IP headers. One instance is shared by all connections.
 */
@ChannelHandler.Sharable
final class WireCounter extends ChannelDuplexHandler {
  private final LongAdder bytes = new LongAdder();

  /** Bytes read plus bytes written so far, by all connections. */
  long total() {
    return bytes.sum();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof ByteBuf b) {
      bytes.add(b.readableBytes());
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof ByteBuf b) {
      bytes.add(b.readableBytes());
    }
    super.write(ctx, msg, promise);
  }
}
