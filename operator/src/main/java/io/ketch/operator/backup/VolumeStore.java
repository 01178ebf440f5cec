package io.ketch.operator.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Snapshots as files in a mounted volume: {@code <name>.db} beside {@code <name>.db.sha256} (the
 * {@code sha256sum} format, so {@code sha256sum -c} checks a file by hand). A file appears under
 * its name only whole and verified: it is written under a temporary name, renamed, and read back.
 */
final class VolumeStore {
  static final String SUFFIX = ".db";
  static final String DIGEST_SUFFIX = ".sha256";

  private VolumeStore() {}

  /**
   * Moves a snapshot spooled in {@code directory} to {@code <name>.db} there, records its SHA-256
   * beside it, and reads it back.
   *
   * @throws CorruptSnapshotException when the stored file does not read back as streamed
   */
  static Path store(Snapshot snapshot, Path directory, String name) {
    Path target = directory.resolve(name + SUFFIX);
    try {
      Files.move(snapshot.file(), target, StandardCopyOption.ATOMIC_MOVE);
      Path digest = digestFile(target);
      Path part = digest.resolveSibling(digest.getFileName() + ".part");
      Files.writeString(part, snapshot.sha256() + "  " + target.getFileName() + "\n");
      force(part);
      Files.move(part, digest, StandardCopyOption.ATOMIC_MOVE);
      force(directory);
      String stored;
      try (InputStream in = Files.newInputStream(target)) {
        stored = SnapshotDigest.sha256Of(in);
      }
      if (!stored.equals(snapshot.sha256())) {
        throw new CorruptSnapshotException(
            target
                + " reads back with SHA-256 "
                + stored
                + ", not the written "
                + snapshot.sha256());
      }
      return target;
    } catch (IOException e) {
      throw new BackupException("writing " + target + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Deletes the oldest scheduled backups of a cluster in {@code directory} (files {@code
   * <cluster>-yyyyMMdd-HHmm.db}, which sort by time) and their digests, beyond the newest {@code
   * keep}; other files (one-shot backups) are left alone. Returns the files deleted.
   */
  static List<Path> prune(Path directory, String cluster, int keep) {
    Pattern scheduled =
        Pattern.compile(Pattern.quote(cluster) + "-\\d{8}-\\d{4}" + Pattern.quote(SUFFIX));
    try (Stream<Path> files = Files.list(directory)) {
      List<Path> matching =
          files
              .filter(f -> scheduled.matcher(f.getFileName().toString()).matches())
              .sorted(Comparator.comparing(f -> f.getFileName().toString()))
              .toList();
      List<Path> deleted = new ArrayList<>();
      for (Path file : matching.subList(0, Math.max(0, matching.size() - keep))) {
        Files.deleteIfExists(digestFile(file));
        Files.delete(file);
        deleted.add(file);
      }
      return deleted;
    } catch (IOException e) {
      throw new BackupException("pruning " + directory + " failed: " + e.getMessage(), e);
    }
  }

  /** The most recently written {@code .db} file anywhere under {@code directory}. */
  static Optional<Path> newest(Path directory) {
    if (!Files.isDirectory(directory)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.walk(directory)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(f))
          .max(Comparator.comparing(VolumeStore::modified).thenComparing(Path::toString));
    } catch (IOException e) {
      throw new BackupException("listing " + directory + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Copies a stored snapshot to {@code target} (atomically, through a temporary file beside it),
   * checking its trailer and the SHA-256 recorded beside it.
   */
  static void copyVerified(Path file, Path target) {
    Path part = target.resolveSibling(target.getFileName() + ".part");
    try (InputStream in = Files.newInputStream(file);
        OutputStream out = Files.newOutputStream(part)) {
      String sha256 = SnapshotDigest.copy(in, out, file.toString());
      Path recorded = digestFile(file);
      if (Files.exists(recorded)) {
        String expected = Files.readString(recorded, StandardCharsets.UTF_8).split("\\s+")[0];
        if (!expected.equals(sha256)) {
          throw new CorruptSnapshotException(
              file + " has SHA-256 " + sha256 + ", not the " + expected + " recorded with it");
        }
      }
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new BackupException("reading " + file + " failed: " + e.getMessage(), e);
    } finally {
      SnapshotTaker.deleteQuietly(part);
    }
  }

  static Path digestFile(Path snapshot) {
    return snapshot.resolveSibling(snapshot.getFileName() + DIGEST_SUFFIX);
  }

  private static void force(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static java.nio.file.attribute.FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new BackupException("reading " + file + " failed: " + e.getMessage(), e);
    }
  }
}
