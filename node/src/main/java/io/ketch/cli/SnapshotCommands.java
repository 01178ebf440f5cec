package io.ketch.cli;

import io.grpc.Context;
import io.ketch.pb.etcdserver.MaintenanceGrpc;
import io.ketch.pb.etcdserver.SnapshotRequest;
import io.ketch.pb.etcdserver.SnapshotResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** snapshot save | restore. */
@Command(
    name = "snapshot",
    description = "Manages etcd node snapshots",
    subcommands = {SnapshotCommands.Save.class, SnapshotCommands.Restore.class})
final class SnapshotCommands extends GroupCommand {

  @Command(name = "save", description = "Stores an etcd node backend snapshot to a given file")
  static final class Save implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "filename")
    Path file;

    Save(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() throws IOException {
      Path part = file.resolveSibling(file.getFileName() + ".part");
      // As etcdctl: no deadline on the whole download, which may be large; cancelled on the way
      // out.
      Context.CancellableContext call = Context.current().withCancellation();
      try {
        call.call(() -> download(part));
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (Exception e) {
        Files.deleteIfExists(part);
        CliException failure = KetchCtl.failure(e);
        throw new CliException(CliException.INTERRUPTED, failure.getMessage(), e);
      } finally {
        call.cancel(null);
      }
      session.out.println("Snapshot saved at " + file);
      return 0;
    }

    /** Streams the snapshot into part, checking etcd's SHA-256 trailer, and syncs it. */
    private Void download(Path part) throws IOException {
      Iterator<SnapshotResponse> responses =
          MaintenanceGrpc.newBlockingStub(session.channel())
              .snapshot(SnapshotRequest.getDefaultInstance());
      Sha256Trailer trailer = new Sha256Trailer();
      ProgressBar bar = null;
      try (FileChannel out =
          FileChannel.open(
              part,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        while (responses.hasNext()) {
          SnapshotResponse response = responses.next();
          byte[] blob = response.getBlob().toByteArray();
          if (bar == null && session.stderrIsTerminal) {
            bar = progressBar(blob.length + response.getRemainingBytes());
          }
          trailer.update(blob, 0, blob.length);
          ByteBuffer buffer = ByteBuffer.wrap(blob);
          while (buffer.hasRemaining()) {
            out.write(buffer);
          }
          if (bar != null) {
            bar.stepBy(blob.length);
          }
        }
        if (!trailer.matches()) {
          throw new CliException(
              CliException.INTERRUPTED,
              "snapshot checksum mismatch: the SHA-256 trailer does not match the data");
        }
        out.force(true);
      } finally {
        if (bar != null) {
          bar.close();
        }
      }
      return null;
    }

    private ProgressBar progressBar(long total) {
      return new ProgressBarBuilder()
          .setTaskName("Snapshot")
          .setInitialMax(total)
          .setUnit(" KiB", 1024)
          .setConsumer(new ConsoleProgressBarConsumer(session.err))
          .build();
    }
  }

  @Command(name = "restore", description = "Restores an etcd member snapshot to an etcd directory")
  static final class Restore implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "filename")
    Path file;

    @Option(names = "--data-dir", description = "path to the data directory (default: <name>.etcd)")
    Path dataDir;

    @Option(
        names = "--name",
        defaultValue = "default",
        description = "human-readable name for this member")
    String name;

    @Option(
        names = "--initial-cluster",
        defaultValue = "default=http://localhost:2380",
        description = "initial cluster configuration for restore bootstrap")
    String initialCluster;

    @Option(
        names = "--initial-cluster-token",
        defaultValue = "etcd-cluster",
        description = "initial cluster token for the cluster during restore bootstrap")
    String initialClusterToken;

    @Option(
        names = "--initial-advertise-peer-urls",
        defaultValue = "http://localhost:2380",
        description = "this member's peer URLs, comma-separated")
    String initialAdvertisePeerUrls;

    @Option(names = "--skip-hash-check", description = "ignore the snapshot's SHA-256 trailer")
    boolean skipHashCheck;

    @Override
    public Integer call() {
      Path target = dataDir != null ? dataDir : Path.of(name + ".etcd");
      try {
        SnapshotRestore.restore(
            new SnapshotRestore.Config(
                file,
                target,
                name,
                initialCluster,
                initialClusterToken,
                Arrays.stream(initialAdvertisePeerUrls.split(",")).map(String::trim).toList(),
                skipHashCheck));
      } catch (IOException | UncheckedIOException e) {
        throw new CliException(CliException.ERROR, e.getMessage(), e);
      }
      return 0;
    }
  }
}
