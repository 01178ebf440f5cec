package io.ketch.operator.backup;

import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Streams Maintenance.Snapshot from one member into a local file, digesting it on the way. The
 * blocking stub reads one message at a time on the caller's thread, so gRPC's flow control keeps
 * the member from sending faster than the file is written. The file is spooled rather than piped
 * straight to storage so that the upload knows its length and can be retried.
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
    URI uri = URI.create(clientUrl);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort()).usePlaintext().build();
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
      Iterator<SnapshotResponse> responses =
          MaintenanceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .snapshot(SnapshotRequest.getDefaultInstance());
      SnapshotDigest digest = new SnapshotDigest();
      long revision = -1;
      while (responses.hasNext()) {
        SnapshotResponse response = responses.next();
        if (revision < 0) {
          revision = response.getHeader().getRevision();
        }
        byte[] blob = response.getBlob().toByteArray();
        digest.update(blob, 0, blob.length);
        ByteBuffer buffer = ByteBuffer.wrap(blob);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
      }
      out.force(true);
      return new Snapshot(file, digest.size(), digest.finish(clientUrl), revision);
    } catch (StatusRuntimeException e) {
      deleteQuietly(file);
      throw new BackupException("snapshot from " + clientUrl + " failed: " + e.getStatus(), e);
    } catch (IOException e) {
      deleteQuietly(file);
      throw new BackupException("spooling the snapshot failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      deleteQuietly(file);
      throw e;
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * From the first of {@code clientUrls} that streams a whole snapshot; a corrupt one fails at
   * once.
   */
  Snapshot takeFromFirst(List<String> clientUrls, Path directory) {
    List<String> failures = new ArrayList<>();
    for (String url : clientUrls) {
      try {
        return take(url, directory);
      } catch (BackupException e) {
        failures.add(e.getMessage());
      }
    }
    throw new BackupException(String.join("; ", failures));
  }

  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a temp file left behind is harmless
    }
  }
}
