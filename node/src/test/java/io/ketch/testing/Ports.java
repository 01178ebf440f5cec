package io.ketch.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Loopback ports for the members and processes the tests start (node's and e2e's tests). */
public final class Ports {
  private static final int FIRST_PORT = 20000;
  private static final int PORT_RANGE = 12000;
  private static final AtomicInteger nextPort =
      new AtomicInteger(ThreadLocalRandom.current().nextInt(PORT_RANGE));

  private Ports() {}

  /**
   * A port nothing listens on, taken from below the kernel's ephemeral range (32768 and up here): a
   * port from that range may be given to another process's outgoing connection between this check
   * and the member's bind (seen: "bind: address already in use"). Each JVM walks the range from a
   * random point, so parallel runs rarely try the same ports.
   */
  public static int free() {
    for (int tries = 0; tries < PORT_RANGE; tries++) {
      int port = FIRST_PORT + Math.floorMod(nextPort.getAndIncrement(), PORT_RANGE);
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException taken) {
        // try the next one
      }
    }
    throw new IllegalStateException("no free port in " + FIRST_PORT + "+" + PORT_RANGE);
  }
}
