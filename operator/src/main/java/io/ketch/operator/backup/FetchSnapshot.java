package io.ketch.operator.backup;

import io.ketch.operator.model.S3Destination;
import io.ketch.operator.resources.MemberConfigMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The first restore init container (see {@link RestoreStep}): downloads a backup from S3-compatible
 * storage, or copies it from a mounted backup claim, and checks its SHA-256, but only for a seed
 * member with an empty data dir. Flags: {@code --data-dir}, {@code --output}; then for S3 {@code
 * --location=s3://bucket/key} or {@code --newest-under=s3://bucket/prefix}, {@code --endpoint},
 * {@code --region}, {@code --path-style}, credentials from {@value #ACCESS_KEY_ENV} and {@value
 * #SECRET_KEY_ENV}; for a claim {@code --file=<path>} or {@code --newest-in=<directory>}.
 */
public final class FetchSnapshot {
  static final String ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID";
  static final String SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY";
  static final String STATE_ENV = "ETCD_INITIAL_CLUSTER_STATE";

  private FetchSnapshot() {}

  public static void main(String[] args) {
    try {
      System.out.println(run(flags(args), System.getenv()));
    } catch (BackupException | CorruptSnapshotException | IllegalArgumentException e) {
      System.err.println("fetch-snapshot: " + e.getMessage());
      System.exit(1);
    }
  }

  /** Does the work; returns what it did, in a line for the log. */
  static String run(Map<String, String> flags, Map<String, String> env) {
    Path dataDir = Path.of(required(flags, "data-dir"));
    Path output = Path.of(required(flags, "output"));
    if (!MemberConfigMap.STATE_NEW.equals(env.get(STATE_ENV))) {
      return "member joins an existing cluster: nothing to restore";
    }
    if (!isEmpty(dataDir)) {
      return "data dir " + dataDir + " holds data: nothing to restore";
    }
    if (flags.containsKey("file") || flags.containsKey("newest-in")) {
      return copyFromVolume(flags, output);
    }
    String where =
        flags.containsKey("location") ? flags.get("location") : required(flags, "newest-under");
    S3Location named = parseWithEmptyKey(where);
    S3Store.Settings settings =
        new S3Store.Settings(
            flags.get("endpoint"),
            named.bucket(),
            flags.getOrDefault("region", S3Destination.DEFAULT_REGION),
            Boolean.parseBoolean(flags.getOrDefault("path-style", "false")),
            required(env, ACCESS_KEY_ENV),
            required(env, SECRET_KEY_ENV));
    try (S3Store store = new S3Store(settings)) {
      S3Location location =
          flags.containsKey("location")
              ? named
              : store
                  .newest(named.key())
                  .orElseThrow(() -> new BackupException("no backup under " + where))
                  .location();
      store.download(location, output);
      return "fetched " + location + " to " + output;
    }
  }

  /**
   * From a mounted backup claim: {@code --file}, or the newest snapshot under {@code --newest-in}.
   */
  private static String copyFromVolume(Map<String, String> flags, Path output) {
    Path file =
        flags.containsKey("file")
            ? Path.of(flags.get("file"))
            : VolumeStore.newest(Path.of(flags.get("newest-in")))
                .orElseThrow(() -> new BackupException("no backup in " + flags.get("newest-in")));
    if (!Files.isRegularFile(file)) {
      throw new BackupException("no backup at " + file);
    }
    VolumeStore.copyVerified(file, output);
    return "copied " + file + " to " + output;
  }

  private static S3Location parseWithEmptyKey(String where) {
    String rest = where.startsWith("s3://") ? where.substring(5) : "";
    int slash = rest.indexOf('/');
    if (rest.isEmpty() || slash == 0) {
      throw new IllegalArgumentException("not an s3://bucket/key location: " + where);
    }
    return slash < 0
        ? new S3Location(rest, "")
        : new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
  }

  static boolean isEmpty(Path dir) {
    if (!Files.isDirectory(dir)) {
      return true;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      throw new BackupException("cannot read data dir " + dir + ": " + e.getMessage(), e);
    }
  }

  static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("expected --flag=value, got " + arg);
      }
      flags.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    return flags;
  }

  private static String required(Map<String, String> values, String name) {
    String value = values.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }
}
