package io.ketch.api.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves HTTP/1.1 requests from {@link HttpRoutes} on one connection. Responses leave in request
 * order even when handlers finish out of order (pipelining), and are written through this handler's
 * context: on the client port a gRPC buffering handler sits at the pipeline's tail, and a write
 * started there would wait in it forever.
 */
final class Http1Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(Http1Handler.class);

  private final HttpRoutes routes;

  /** Completes when the previous response has been handed to Netty; event-loop only. */
  private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

  private int inFlight;

  /** The streaming response being written, told when the connection becomes writable again. */
  private volatile NettySink activeSink;

  private Http1Handler(HttpRoutes routes) {
    this.routes = routes;
  }

  /**
   * Adds the HTTP/1.1 codec, an aggregator bounded by {@code maxBodyBytes}, an idle timeout that
   * closes a connection with no request in flight, and the route handler.
   */
  static void install(
      ChannelPipeline pipeline,
      String after,
      HttpRoutes routes,
      int maxBodyBytes,
      Duration idleTimeout) {
    List<io.netty.channel.ChannelHandler> handlers =
        List.of(
            new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS),
            new HttpServerCodec(),
            new HttpObjectAggregator(maxBodyBytes),
            new Http1Handler(routes));
    String previousName = after;
    for (io.netty.channel.ChannelHandler handler : handlers) {
      String name = "http1-" + handler.getClass().getSimpleName();
      if (previousName == null) {
        pipeline.addLast(name, handler);
      } else {
        pipeline.addAfter(previousName, name, handler);
      }
      previousName = name;
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
    CompletableFuture<HttpResponse> response;
    boolean keepAlive;
    if (msg.decoderResult().isSuccess()) {
      keepAlive = HttpUtil.isKeepAlive(msg);
      HttpRequest request = toRequest(msg);
      response =
          routes
              .dispatch(request)
              .toCompletableFuture()
              .exceptionally(
                  e -> {
                    log.warn("{} {} failed", request.method(), request.path(), e);
                    return HttpResponse.text(500, "internal error\n");
                  });
    } else {
      keepAlive = false;
      response = CompletableFuture.completedFuture(HttpResponse.text(400, "400 Bad Request\n"));
    }
    inFlight++;
    previous =
        previous
            .thenCombine(response, (ignored, r) -> r)
            .thenCompose(r -> respond(ctx, r, keepAlive))
            .handle(
                (ignored, e) -> {
                  if (e != null) {
                    log.warn("writing an HTTP response failed", e);
                    ctx.close();
                  }
                  ctx.executor().execute(() -> inFlight--);
                  return null;
                });
  }

  private static HttpRequest toRequest(FullHttpRequest msg) {
    QueryStringDecoder uri = new QueryStringDecoder(msg.uri());
    Map<String, String> headers = new HashMap<>();
    msg.headers()
        .forEach(
            e -> headers.putIfAbsent(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
    return new HttpRequest(
        msg.method().name(),
        uri.path(),
        uri.parameters(),
        headers,
        ByteBufUtil.getBytes(msg.content()));
  }

  /** Writes one response; the future completes when the next response may follow. */
  private CompletableFuture<Void> respond(
      ChannelHandlerContext ctx, HttpResponse response, boolean keepAlive) {
    if (response instanceof HttpResponse.Full full) {
      DefaultFullHttpResponse out =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(full.status()),
              Unpooled.wrappedBuffer(full.body()));
      out.headers().set(HttpHeaderNames.CONTENT_TYPE, full.contentType());
      full.headers().forEach((k, v) -> out.headers().set(k, v));
      HttpUtil.setContentLength(out, full.body().length);
      if (!keepAlive) {
        out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      var written = ctx.writeAndFlush(out);
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
      return CompletableFuture.completedFuture(null);
    }
    HttpResponse.Streaming streaming = (HttpResponse.Streaming) response;
    DefaultHttpResponse head =
        new DefaultHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(streaming.status()));
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, streaming.contentType());
    HttpUtil.setTransferEncodingChunked(head, true);
    ctx.writeAndFlush(head);
    NettySink sink = new NettySink(ctx, keepAlive);
    activeSink = sink;
    try {
      streaming.producer().accept(sink);
    } catch (RuntimeException e) {
      log.warn("streaming response failed", e);
      sink.close();
    }
    return sink.done;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent && inFlight == 0) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP connection {} failed", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    NettySink sink = activeSink;
    if (sink != null && ctx.channel().isWritable()) {
      sink.writable();
    }
    super.channelWritabilityChanged(ctx);
  }

  /** A chunked body over one connection. */
  private static final class NettySink implements ResponseSink {
    private final ChannelHandlerContext ctx;
    private final boolean keepAlive;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final List<Runnable> onClose = new ArrayList<>();
    private final List<Runnable> onWritable = new ArrayList<>();
    private boolean open = true;

    NettySink(ChannelHandlerContext ctx, boolean keepAlive) {
      this.ctx = ctx;
      this.keepAlive = keepAlive;
      ctx.channel().closeFuture().addListener(f -> finish());
    }

    @Override
    public synchronized void write(byte[] chunk) {
      // Under the lock so that chunks and the last chunk reach the event loop in order.
      if (open) {
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
      }
    }

    @Override
    public void close() {
      synchronized (this) {
        if (!open) {
          return;
        }
        var written = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
          written.addListener(ChannelFutureListener.CLOSE);
        }
      }
      finish();
    }

    @Override
    public synchronized boolean isOpen() {
      return open;
    }

    @Override
    public boolean isWritable() {
      return ctx.channel().isWritable();
    }

    @Override
    public void onWritable(Runnable callback) {
      synchronized (this) {
        onWritable.add(callback);
      }
      if (ctx.channel().isWritable()) {
        writable();
      }
    }

    @Override
    public void onClose(Runnable callback) {
      synchronized (this) {
        if (open) {
          onClose.add(callback);
          return;
        }
      }
      callback.run();
    }

    void writable() {
      List<Runnable> callbacks;
      synchronized (this) {
        callbacks = new ArrayList<>(onWritable);
        onWritable.clear();
      }
      runAll(callbacks);
    }

    private void finish() {
      List<Runnable> callbacks;
      synchronized (this) {
        if (!open) {
          return;
        }
        open = false;
        callbacks = new ArrayList<>(onClose);
        onClose.clear();
        onWritable.clear();
      }
      runAll(callbacks);
      done.complete(null);
    }

    private static void runAll(List<Runnable> callbacks) {
      for (Runnable r : callbacks) {
        try {
          r.run();
        } catch (RuntimeException e) {
          log.warn("response sink callback failed", e);
        }
      }
    }
  }
}
