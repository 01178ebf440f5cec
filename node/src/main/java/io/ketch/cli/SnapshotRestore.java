package io.ketch.cli;

import com.google.protobuf.ByteString;
import io.ketch.server.DataDirRestore;
import io.ketch.server.config.ConfigException;
import io.ketch.server.config.ServerConfigParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one place where {@code ketchctl snapshot restore} turns a snapshot file into a member's data
 * directory: it checks the SHA-256 trailer (unless told to skip, as etcdctl's --skip-hash-check),
 * then hands the payload and the restore flags to the server's {@link DataDirRestore}, which writes
 * a data dir for a member of a new cluster. The only ketchctl class that reaches past the wire API
 * (CliArchitectureTest allows it this one call).
 */
public final class SnapshotRestore {
  private static final int TRAILER_BYTES = 32;

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
   * Restores the snapshot into a new data directory and returns that directory.
   *
   * @throws IOException when the snapshot is unreadable, corrupt, or the data dir already exists
   */
  public static Path restore(Config config) throws IOException {
    if (Files.exists(config.dataDir())) {
      throw new IOException("data-dir \"" + config.dataDir() + "\" exists");
    }
    boolean trailer = hasValidTrailer(config.snapshot());
    if (!config.skipHashCheck() && !trailer) {
      throw new IOException("snapshot file integrity check failed: SHA-256 trailer does not match");
    }
    byte[] file = Files.readAllBytes(config.snapshot());
    ByteString payload = ByteString.copyFrom(file, 0, file.length - (trailer ? TRAILER_BYTES : 0));
    List<String> flags = new ArrayList<>();
    flags.add("--name=" + config.name());
    flags.add("--data-dir=" + config.dataDir());
    flags.add("--initial-cluster-token=" + config.initialClusterToken());
    if (config.initialCluster() != null && !config.initialCluster().isEmpty()) {
      flags.add("--initial-cluster=" + config.initialCluster());
    }
    if (!config.initialAdvertisePeerUrls().isEmpty()) {
      flags.add(
          "--initial-advertise-peer-urls=" + String.join(",", config.initialAdvertisePeerUrls()));
    }
    try {
      DataDirRestore.restore(payload, ServerConfigParser.parse(flags, Map.of()).config());
    } catch (ConfigException e) {
      throw new IOException(e.getMessage(), e);
    }
    return config.dataDir();
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
