package io.ketch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The one place where {@code ketchctl snapshot restore} turns a snapshot file into a member's data
 * directory. It is a single static entry point, not an interface, on purpose: ketchctl must not
 * depend on the server (ArchitectureTest), so the storage format lives behind this one call, and
 * when Ketch's snapshot and data-dir layout exist (io.ketch.storage) the lead replaces the body of
 * {@link #restore} with a call to that code; the command line and the contract stay as they are.
 *
 * <p>For now it verifies the SHA-256 trailer (unless told to skip, as etcdctl's --skip-hash-check)
 * and copies the file, trailer included, to {@code <data-dir>/member/snap/db}, where etcd keeps its
 * backend. The membership flags are accepted and validated but not yet written anywhere.
 */
public final class SnapshotRestore {
  private SnapshotRestore() {}

  /** etcdctl's restore flags. */
  public record Config(
      Path snapshot,
      Path dataDir,
      String name,
      String initialCluster,
      String initialClusterToken,
      List<String> initialAdvertisePeerUrls,
      boolean skipHashCheck) {}

  /**
   * Restores the snapshot into a new data directory and returns the file written.
   *
   * @throws IOException when the snapshot is unreadable, corrupt, or the data dir already exists
   */
  public static Path restore(Config config) throws IOException {
    if (Files.exists(config.dataDir())) {
      throw new IOException("data-dir \"" + config.dataDir() + "\" exists");
    }
    if (!config.skipHashCheck() && !hasValidTrailer(config.snapshot())) {
      throw new IOException("snapshot file integrity check failed: SHA-256 trailer does not match");
    }
    Path snapDir = config.dataDir().resolve("member").resolve("snap");
    Files.createDirectories(snapDir);
    Path target = snapDir.resolve("db");
    Files.copy(config.snapshot(), target, StandardCopyOption.COPY_ATTRIBUTES);
    return target;
  }

  static boolean hasValidTrailer(Path file) throws IOException {
    Sha256Trailer trailer = new Sha256Trailer();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        trailer.update(buffer, 0, n);
      }
    }
    return trailer.matches();
  }
}
