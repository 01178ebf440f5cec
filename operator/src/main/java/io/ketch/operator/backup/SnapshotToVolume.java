package io.ketch.operator.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The container of a backup Job to a volume claim (see {@link SnapshotJob}): streams
 * Maintenance.Snapshot from the first member that answers into the mounted claim, verified as a
 * backup to S3 is (the stream's SHA-256 trailer, then the stored file read back), records its
 * SHA-256 beside it, and, for a scheduled backup, deletes the oldest scheduled files beyond the
 * retention. Only a pod can write to a claim, so this runs in one rather than in the operator.
 *
 * <p>Flags: {@code --endpoints} (comma-separated client URLs), {@code --directory}, {@code --name},
 * {@code --location} (the pvc:// location the file will have), {@code --timeout-seconds}, and
 * {@code --keep} with {@code --keep-scheduled-of=<cluster>} for retention. The outcome goes to
 * {@code --result} (default the container's termination message), where the operator reads it:
 * {@link VolumeBackupResult}'s lines on success, the error otherwise.
 */
public final class SnapshotToVolume {
  static final String TERMINATION_LOG = "/dev/termination-log";

  private SnapshotToVolume() {}

  public static void main(String[] args) {
    Map<String, String> flags = FetchSnapshot.flags(args);
    Path result = Path.of(flags.getOrDefault("result", TERMINATION_LOG));
    try {
      VolumeBackupResult outcome = run(flags);
      System.out.println("stored " + outcome.location() + " (revision " + outcome.revision() + ")");
      write(result, outcome.format());
    } catch (BackupException | CorruptSnapshotException | IllegalArgumentException e) {
      System.err.println("snapshot-to-volume: " + e.getMessage());
      write(result, e.getMessage());
      System.exit(1);
    }
  }

  static VolumeBackupResult run(Map<String, String> flags) {
    List<String> endpoints = Arrays.asList(required(flags, "endpoints").split(","));
    Path directory = Path.of(required(flags, "directory"));
    String name = required(flags, "name");
    Duration timeout =
        Duration.ofSeconds(Long.parseLong(flags.getOrDefault("timeout-seconds", "600")));
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new BackupException("cannot create " + directory + ": " + e.getMessage(), e);
    }
    Snapshot snapshot = new SnapshotTaker(timeout).takeFromFirst(endpoints, directory);
    try {
      VolumeStore.store(snapshot, directory, name);
    } finally {
      SnapshotTaker.deleteQuietly(snapshot.file());
    }
    if (flags.containsKey("keep")) {
      for (Path deleted :
          VolumeStore.prune(
              directory,
              required(flags, "keep-scheduled-of"),
              Integer.parseInt(flags.get("keep")))) {
        System.out.println("retention: deleted " + deleted);
      }
    }
    return new VolumeBackupResult(
        snapshot.revision(), snapshot.size(), snapshot.sha256(), required(flags, "location"));
  }

  private static void write(Path result, String text) {
    try {
      Files.writeString(result, text);
    } catch (IOException e) {
      System.err.println("snapshot-to-volume: cannot write " + result + ": " + e.getMessage());
    }
  }

  private static String required(Map<String, String> flags, String name) {
    String value = flags.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }
}
