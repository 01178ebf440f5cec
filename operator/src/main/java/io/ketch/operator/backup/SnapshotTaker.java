package io.ketch.operator.backup;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.SnapshotResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Streams Maintenance.Snapshot from one member into a local file, digesting it on the way. The file
 * is spooled rather than piped straight to storage because jetcd hands the stream over on its
 * event-loop threads, which must not wait on an upload; a local write of each 32 KiB piece is
 * cheap, and a spooled file can be uploaded with its length known and retried.
 */
final class SnapshotTaker {
  private final Duration timeout;

  /**
   * @param timeout how long the whole stream may take
   */
  SnapshotTaker(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * @throws CorruptSnapshotException when the stream's SHA-256 trailer does not match
   * @throws BackupException when the member cannot be reached or the stream breaks
   */
  Snapshot take(String clientUrl, Path directory) {
    Path file;
    try {
      file = Files.createTempFile(directory, "snapshot-", ".db");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Client client = Client.builder().endpoints(clientUrl).build();
        FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
      Spool spool = new Spool(out);
      client.getMaintenanceClient().snapshot(spool);
      long revision = await(spool.done, clientUrl);
      out.force(true);
      String sha256 = spool.digest.finish(clientUrl);
      return new Snapshot(file, spool.digest.size(), sha256, revision);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(file);
      if (e instanceof CorruptSnapshotException || e instanceof BackupException) {
        throw (RuntimeException) e;
      }
      throw new BackupException("snapshot from " + clientUrl + " failed: " + e.getMessage(), e);
    }
  }

  private long await(CompletableFuture<Long> done, String clientUrl) {
    try {
      return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackupException("snapshot from " + clientUrl + " interrupted", e);
    } catch (ExecutionException e) {
      throw new BackupException(
          "snapshot from " + clientUrl + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new BackupException("snapshot from " + clientUrl + " took over " + timeout, e);
    }
  }

  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a temp file left behind is harmless
    }
  }

  /** Writes each piece as it comes; completes with the first header's revision. */
  private static final class Spool implements StreamObserver<SnapshotResponse> {
    final SnapshotDigest digest = new SnapshotDigest();
    final CompletableFuture<Long> done = new CompletableFuture<>();
    private final FileChannel out;
    private long revision = -1;

    Spool(FileChannel out) {
      this.out = out;
    }

    @Override
    public void onNext(SnapshotResponse response) {
      if (revision < 0) {
        revision = response.getHeader().getRevision();
      }
      byte[] blob = response.getBlob().toByteArray();
      digest.update(blob, 0, blob.length);
      try {
        ByteBuffer buffer = ByteBuffer.wrap(blob);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
      } catch (IOException e) {
        done.completeExceptionally(e);
      }
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      done.complete(revision);
    }
  }
}
