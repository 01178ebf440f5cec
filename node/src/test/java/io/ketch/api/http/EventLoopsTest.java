package io.ketch.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopsTest {
  private final Executor elsewhere = Runnable::run;

  @Test
  void onAnEventLoopItIsThatLoop() throws Exception {
    EventLoop loop = new DefaultEventLoop();
    try {
      assertThat(loop.submit(() -> EventLoops.currentOr(elsewhere)).get(10, TimeUnit.SECONDS))
          .isSameAs(loop);
    } finally {
      loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }
  }

  @Test
  void offAnEventLoopItIsTheExecutorGiven() {
    assertThat(EventLoops.currentOr(elsewhere)).isSameAs(elsewhere);
  }
}
