package io.ketch.e2e.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A TCP proxy in front of one member's peer listener; the member advertises the proxy's port, so
 * every peer connection to it passes here and {@link LinkFaults} can act on it per byte direction.
 *
 * <p>Which member opened a connection: the accepted socket's remote port is the connecting socket's
 * local port; its row in /proc/net/tcp (or tcp6) gives the socket's inode, and the member whose
 * /proc/PID/fd holds "socket:[inode]" opened it. This needs no root and no cooperation from the
 * member (all processes run as the test's user, on loopback, in one network namespace). A
 * connection no member owns (the opener has already closed it) is refused: letting it through could
 * cross a partition.
 */
final class PeerProxy implements AutoCloseable {

  private static final int CHUNK = 16 * 1024;
  private static final int QUEUED_CHUNKS = 64;

  private final Member member;
  private final int targetPort;
  private final LinkFaults faults;
  private final Supplier<List<Member>> members;
  private final ServerSocket server;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();

  PeerProxy(Member member, int targetPort, LinkFaults faults, Supplier<List<Member>> members) {
    this.member = member;
    this.targetPort = targetPort;
    this.faults = faults;
    this.members = members;
    try {
      server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    daemon("proxy-accept-" + member.name(), this::acceptLoop).start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Closes the connections between {@code a} and {@code b} that pass this proxy. */
  void cut(String a, String b) {
    for (Connection c : connections) {
      if ((c.from.equals(a) && member.name().equals(b))
          || (c.from.equals(b) && member.name().equals(a))) {
        c.close();
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    connections.forEach(Connection::close);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket accepted;
      try {
        accepted = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Optional<Member> from = opener(accepted.getPort());
      if (from.isEmpty()) {
        closeQuietly(accepted);
        continue;
      }
      try {
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        Connection c = new Connection(from.get().name(), accepted, upstream);
        connections.add(c);
        c.start();
      } catch (IOException e) {
        closeQuietly(accepted); // the member is down: so is its peer port, as without a proxy
      }
    }
  }

  /** The member whose process holds the socket bound to loopback port {@code port}. */
  private Optional<Member> opener(int port) {
    OptionalLong inode = inodeOf(port, port());
    if (inode.isEmpty()) {
      return Optional.empty();
    }
    String link = "socket:[" + inode.getAsLong() + "]";
    return members.get().stream().filter(m -> m.isAlive() && holdsFd(m.pid(), link)).findFirst();
  }

  static OptionalLong inodeOf(int localPort, int remotePort) {
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 9 && port(f[1]) == localPort && port(f[2]) == remotePort) {
            return OptionalLong.of(Long.parseLong(f[9]));
          }
        }
      } catch (IOException | NumberFormatException e) {
        // no such table (IPv6 off) or a header line: look on
      }
    }
    return OptionalLong.empty();
  }

  private static int port(String address) {
    int colon = address.lastIndexOf(':');
    return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1), 16);
  }

  private static boolean holdsFd(long pid, String link) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", pid + "", "fd"))) {
      for (Path fd : fds) {
        try {
          if (Files.readSymbolicLink(fd).toString().equals(link)) {
            return true;
          }
        } catch (IOException e) {
          // the fd closed meanwhile
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  /** One proxied connection: bytes from the opener to the member and back, each way a pump. */
  private final class Connection {
    private final String from;
    private final Socket downstream;
    private final Socket upstream;

    Connection(String from, Socket downstream, Socket upstream) throws IOException {
      this.from = from;
      this.downstream = downstream;
      this.upstream = upstream;
      downstream.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
    }

    void start() throws IOException {
      pump(downstream.getInputStream(), upstream.getOutputStream(), from, member.name());
      pump(upstream.getInputStream(), downstream.getOutputStream(), member.name(), from);
    }

    /**
     * A reader that stamps chunks as they arrive and a writer that holds them while the link drops
     * and until their delay has passed; the bounded queue between them pushes back on the sender.
     */
    private void pump(InputStream in, OutputStream out, String src, String dst) {
      BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
      BlockingQueue<Long> stamps = new ArrayBlockingQueue<>(QUEUED_CHUNKS + 1);
      String name = "proxy-" + src + "-to-" + dst;
      daemon(
              name + "-read",
              () -> {
                byte[] buffer = new byte[CHUNK];
                try {
                  for (int n; (n = in.read(buffer)) >= 0; ) {
                    stamps.put(System.nanoTime());
                    chunks.put(Arrays.copyOf(buffer, n));
                  }
                } catch (IOException | InterruptedException e) {
                  // closed
                }
                close();
              })
          .start();
      daemon(
              name + "-write",
              () -> {
                try {
                  while (!upstream.isClosed() || !chunks.isEmpty()) {
                    byte[] chunk = chunks.poll(100, TimeUnit.MILLISECONDS);
                    if (chunk == null) {
                      continue;
                    }
                    long readAt = stamps.take();
                    holdBack(src, dst, readAt);
                    out.write(chunk);
                    out.flush();
                  }
                } catch (IOException | InterruptedException e) {
                  // closed
                }
                close();
              })
          .start();
    }

    private void holdBack(String src, String dst, long readAt) throws InterruptedException {
      while (true) {
        LinkFaults.Rule rule = faults.rule(src, dst);
        long wait = readAt + rule.delay().toNanos() - System.nanoTime();
        if (!rule.drop() && wait <= 0) {
          return;
        }
        faults.awaitChange(rule.drop() ? Duration.ofMillis(50) : Duration.ofNanos(wait));
        if (downstream.isClosed()) {
          throw new InterruptedException("connection closed");
        }
      }
    }

    void close() {
      connections.remove(this);
      closeQuietly(downstream);
      closeQuietly(upstream);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  @Override
  public String toString() {
    return "proxy " + new InetSocketAddress(port()) + " -> " + member.name();
  }
}
