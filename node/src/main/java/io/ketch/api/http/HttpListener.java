package io.ketch.api.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A plain HTTP/1.1 listener, for --listen-metrics-urls: the same routes and handler code as the
 * client port's HTTP side, on its own single network thread.
 */
public final class HttpListener implements AutoCloseable {
  private static final int MAX_BODY_BYTES = 64 * 1024;

  private final EventLoopGroup group;
  private final Channel channel;

  private HttpListener(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  public static HttpListener start(InetSocketAddress address, HttpRoutes routes, Duration idle)
      throws IOException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel channel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      Http1Handler.install(ch.pipeline(), null, routes, MAX_BODY_BYTES, idle);
                    }
                  })
              .bind(address)
              .syncUninterruptibly()
              .channel();
      return new HttpListener(group, channel);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
      throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
