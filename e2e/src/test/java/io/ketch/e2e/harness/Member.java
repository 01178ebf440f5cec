package io.ketch.e2e.harness;

import java.nio.file.Path;

/**
 * One store member running as a real process on loopback: the reference etcd or a Ketch node. Both
 * take etcd's command-line flags, so a test drives either the same way. Closing it kills the
 * process and deletes its data.
 */
public interface Member extends AutoCloseable {

  /** Where members and tests write their logs: -Dketch.e2e.logs, target/e2e-logs by default. */
  static Path logDir() {
    return Path.of(System.getProperty("ketch.e2e.logs", "target/e2e-logs"));
  }

  /** A name for logs and test output, e.g. "etcd-40123". */
  String name();

  /** The client endpoint as etcdctl and jetcd take it without a scheme: "127.0.0.1:port". */
  String endpoint();

  /** The client URL, "http://127.0.0.1:port". */
  default String clientUrl() {
    return "http://" + endpoint();
  }

  /**
   * The peer URL the member advertises, "http://127.0.0.1:port": in a {@link Cluster}, its {@link
   * PeerProxy}'s.
   */
  String peerUrl();

  Path dataDir();

  long pid();

  boolean isAlive();

  /** SIGTERM, then waits for the process to exit (SIGKILL if it does not within a few seconds). */
  void stop();

  /** SIGKILL: no chance to flush or clean up. */
  void kill9();

  /** SIGSTOP: the process freezes, its sockets stay open. */
  void pause();

  /** SIGCONT after {@link #pause()}. */
  void resume();

  /**
   * Stops the member if it runs, starts it again on the same ports and data dir, and waits until it
   * serves.
   */
  void restart();

  /** The last lines of everything the process printed, across restarts. */
  String logTail(int lines);

  /** Kills the process and deletes the data dir. */
  @Override
  void close();
}
