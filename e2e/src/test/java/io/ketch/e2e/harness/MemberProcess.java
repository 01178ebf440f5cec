package io.ketch.e2e.harness;

import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.ketch.testing.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A member process started with etcd's flags on free loopback ports. Subclasses say which program
 * runs; this class owns the process, its log file and the wait until it serves.
 */
abstract class MemberProcess implements Member {

  /**
   * Members started since the last {@link #drainStarted()}: the extension prints their logs when a
   * test fails.
   */
  private static final Queue<MemberProcess> started = new ConcurrentLinkedQueue<>();

  private final String name;
  private final int clientPort;
  private final int peerPort;
  private final Path dataDir;
  private final Path logFile;
  private int advertisedPeerPort;
  private List<String> clusterFlags;
  private final List<String> extraFlags = new ArrayList<>();
  private volatile boolean learner;
  private Process process;

  MemberProcess(String kind, Path dataDir) {
    this.clientPort = Ports.free();
    this.peerPort = Ports.free();
    this.name = kind + "-" + clientPort;
    this.dataDir = dataDir;
    this.logFile = Member.logDir().resolve(name + ".log");
    this.advertisedPeerPort = peerPort;
    this.clusterFlags =
        List.of("--initial-cluster=" + name + "=" + peerUrl(), "--initial-cluster-state=new");
  }

  /** The program and its own arguments, before etcd's flags. */
  abstract List<String> program();

  /** How long a start may take until the member serves (a JVM starts slower than a Go binary). */
  abstract Duration startTimeout();

  static List<MemberProcess> drainStarted() {
    List<MemberProcess> members = new ArrayList<>();
    for (MemberProcess m; (m = started.poll()) != null; ) {
      members.add(m);
    }
    return members;
  }

  /**
   * Peers reach this member through a proxy on {@code port} (see {@link PeerProxy}): the member
   * still listens on its own peer port but advertises the proxy's.
   */
  void advertisePeerPort(int port) {
    advertisedPeerPort = port;
  }

  /**
   * The bootstrap flags of a member of a larger cluster (--initial-cluster, its state and token)
   * instead of a one-member cluster's. A restart keeps them; the member then ignores them, as etcd
   * does once it has a data dir.
   */
  void bootstrap(List<String> flags) {
    clusterFlags = List.copyOf(flags);
  }

  /** More of etcd's flags, e.g. "--snapshot-count=100". */
  void addFlags(List<String> flags) {
    extraFlags.addAll(flags);
  }

  /** A learner refuses linearizable reads: it counts as started once it answers Status. */
  void learner(boolean learner) {
    this.learner = learner;
  }

  int peerListenPort() {
    return peerPort;
  }

  /** Etcd's flags; Ketch's launcher takes the same. */
  List<String> etcdFlags() {
    List<String> flags = new ArrayList<>();
    flags.add("--name=" + name);
    flags.add("--data-dir=" + dataDir);
    flags.add("--listen-client-urls=" + clientUrl());
    flags.add("--advertise-client-urls=" + clientUrl());
    flags.add("--listen-peer-urls=http://127.0.0.1:" + peerPort);
    flags.add("--initial-advertise-peer-urls=" + peerUrl());
    flags.addAll(clusterFlags);
    flags.addAll(extraFlags);
    return flags;
  }

  /** Starts the process and waits until it serves. */
  final void start() {
    launch();
    awaitServing();
  }

  /**
   * Starts the process without waiting: the members of a new cluster serve only once a quorum of
   * them runs.
   */
  final void launch() {
    List<String> command = new ArrayList<>(program());
    command.addAll(etcdFlags());
    try {
      Files.createDirectories(logFile.getParent());
      Files.writeString(
          logFile,
          "### " + String.join(" ", command).replace(classpath(), "<test classpath>") + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
    started.add(this);
  }

  /**
   * Polls a linearizable Range over gRPC, as `etcdctl endpoint health` does: it answers only once
   * the member has a leader and applies requests. A learner: polls Status for a leader.
   */
  final void awaitServing() {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(endpoint()).usePlaintext().build();
    try {
      KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
      MaintenanceGrpc.MaintenanceBlockingStub maintenance =
          MaintenanceGrpc.newBlockingStub(channel);
      RangeRequest probe =
          RangeRequest.newBuilder()
              .setKey(com.google.protobuf.ByteString.copyFromUtf8("ketch-e2e-health"))
              .build();
      await("member " + name + " serving")
          .atMost(startTimeout())
          .pollInterval(Duration.ofMillis(50))
          .pollDelay(Duration.ZERO)
          .failFast(
              "member " + name + " exited before serving (its log: " + logFile + ")",
              () -> !process.isAlive())
          .ignoreException(StatusRuntimeException.class)
          .until(
              () ->
                  learner
                      ? maintenance
                              .withDeadlineAfter(1, TimeUnit.SECONDS)
                              .status(StatusRequest.getDefaultInstance())
                              .getLeader()
                          != 0
                      : kv.withDeadlineAfter(1, TimeUnit.SECONDS).range(probe) != null);
    } finally {
      channel.shutdownNow();
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String endpoint() {
    return "127.0.0.1:" + clientPort;
  }

  @Override
  public String peerUrl() {
    return "http://127.0.0.1:" + advertisedPeerPort;
  }

  @Override
  public Path dataDir() {
    return dataDir;
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  @Override
  public void stop() {
    if (!isAlive()) {
      return;
    }
    resume();
    process.destroy();
    if (!waitExit(Duration.ofSeconds(10))) {
      kill9();
    }
  }

  @Override
  public void kill9() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    if (!waitExit(Duration.ofSeconds(10))) {
      throw new IllegalStateException(name + " survived SIGKILL");
    }
  }

  @Override
  public void pause() {
    signal("STOP");
  }

  @Override
  public void resume() {
    signal("CONT");
  }

  @Override
  public void restart() {
    stop();
    start();
  }

  @Override
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log at " + logFile + ": " + e + ")";
    }
  }

  @Override
  public void close() {
    kill9();
    deleteRecursively(dataDir);
  }

  @Override
  public String toString() {
    return name;
  }

  private boolean waitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void signal(String signal) {
    if (!isAlive()) {
      return;
    }
    try {
      int exit =
          new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
              .inheritIO()
              .start()
              .waitFor();
      if (exit != 0) {
        throw new IllegalStateException(
            "kill -" + signal + " " + process.pid() + " exited " + exit);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String classpath() {
    // Surefire may hide the classpath behind a manifest-only jar; it publishes the real one here.
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  static Path newDataDir(String kind) {
    try {
      Path base = Path.of(System.getProperty("java.io.tmpdir"));
      return Files.createTempDirectory(base, "ketch-e2e-" + kind + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
