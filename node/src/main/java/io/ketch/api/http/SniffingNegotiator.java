package io.ketch.api.http;

import io.grpc.ServerCredentials;
import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Serves gRPC and HTTP/1.1 on one port, as etcd does on 2379: each connection's first bytes decide.
 * The HTTP/2 client preface (gRPC, which etcd clients speak with prior knowledge over plaintext)
 * hands the connection to gRPC's own plaintext negotiation; anything else gets the HTTP/1.1
 * pipeline.
 *
 * <p>This is the only file that touches grpc-netty's {@code Internal*} classes; the client listener
 * test (a gRPC call and HTTP requests on one port) catches a gRPC upgrade that breaks it.
 *
 * <p>gRPC's own handshake timeout would close idle HTTP/1.1 keep-alive connections (their transport
 * never becomes "ready"), so the listener turns it off and this class applies a first-bytes timeout
 * instead; the HTTP/1.1 side then has its own idle timeout.
 */
final class SniffingNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final InternalProtocolNegotiator.ProtocolNegotiator grpcPlaintext =
      InternalProtocolNegotiators.serverPlaintext();
  private final Consumer<ChannelHandlerContext> installHttp1;
  private final Duration firstBytesTimeout;

  private SniffingNegotiator(
      Consumer<ChannelHandlerContext> installHttp1, Duration firstBytesTimeout) {
    this.installHttp1 = installHttp1;
    this.firstBytesTimeout = firstBytesTimeout;
  }

  /**
   * Server credentials for NettyServerBuilder.forAddress.
   *
   * @param installHttp1 adds the HTTP/1.1 handlers after the given context's handler
   */
  static ServerCredentials credentials(
      Consumer<ChannelHandlerContext> installHttp1, Duration firstBytesTimeout) {
    return InternalNettyServerCredentials.create(
        new SniffingNegotiator(installHttp1, firstBytesTimeout));
  }

  @Override
  public AsciiString scheme() {
    return grpcPlaintext.scheme();
  }

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    return new Sniffer(grpcPlaintext.newHandler(grpcHandler));
  }

  @Override
  public void close() {
    grpcPlaintext.close();
  }

  /** Holds the connection until its first bytes show which protocol it speaks. */
  private final class Sniffer extends ByteToMessageDecoder {
    private final ChannelHandler grpcNegotiation;

    /** gRPC's negotiation event arrives before any byte; the gRPC side needs it replayed. */
    private final List<Object> heldEvents = new ArrayList<>();

    private ScheduledFuture<?> timeout;

    Sniffer(ChannelHandler grpcNegotiation) {
      this.grpcNegotiation = grpcNegotiation;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
      super.handlerAdded(ctx);
      timeout =
          ctx.executor()
              .schedule(
                  () -> {
                    ctx.close();
                  },
                  firstBytesTimeout.toNanos(),
                  TimeUnit.NANOSECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      heldEvents.add(evt);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      int seen = Math.min(in.readableBytes(), PREFACE.readableBytes());
      boolean prefaceSoFar =
          ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), seen);
      if (prefaceSoFar && seen < PREFACE.readableBytes()) {
        return;
      }
      timeout.cancel(false);
      if (prefaceSoFar) {
        ctx.pipeline().addAfter(ctx.name(), null, grpcNegotiation);
        for (Object evt : heldEvents) {
          ctx.fireUserEventTriggered(evt);
        }
      } else {
        installHttp1.accept(ctx);
      }
      heldEvents.clear();
      // Removing a decoder hands the bytes it holds to the next handler.
      ctx.pipeline().remove(this);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
      if (timeout != null) {
        timeout.cancel(false);
      }
    }
  }
}
