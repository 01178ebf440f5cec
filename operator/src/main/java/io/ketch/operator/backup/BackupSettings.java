package io.ketch.operator.backup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The backup part's settings, from the operator's environment:
 *
 * <ul>
 *   <li>KETCH_OPERATOR_IMAGE: the operator's own image, which runs the restore's fetch step and the
 *       backup Jobs to volume claims (default ketch/ketch-operator:&lt;version&gt;)
 *   <li>KETCH_JAVA_COMMAND: comma-separated command that runs a main class of the operator's jar in
 *       that image, the class appended (default java,-cp,/opt/ketch/ketch-operator.jar)
 *   <li>KETCH_MEMBER_RESTORE_COMMAND: comma-separated restore command of the member image (default
 *       ketchctl,snapshot,restore; etcdutl,snapshot,restore for etcd 3.5+ images)
 *   <li>KETCH_BACKUP_SPOOL_DIR: where snapshots are spooled before upload (default java.io.tmpdir)
 *   <li>KETCH_SNAPSHOT_TIMEOUT_SECONDS: how long one snapshot stream may take (default 600)
 * </ul>
 */
public record BackupSettings(
    String operatorImage,
    List<String> javaCommand,
    List<String> restoreCommand,
    Path spool,
    Duration snapshotTimeout) {
  static final List<String> DEFAULT_JAVA_COMMAND =
      List.of("java", "-cp", "/opt/ketch/ketch-operator.jar");

  public BackupSettings {
    javaCommand = List.copyOf(javaCommand);
    restoreCommand = List.copyOf(restoreCommand);
  }

  public static BackupSettings fromEnvironment(Map<String, String> env) {
    String version = BackupSettings.class.getPackage().getImplementationVersion();
    return new BackupSettings(
        env.getOrDefault(
            "KETCH_OPERATOR_IMAGE",
            "ketch/ketch-operator:" + (version == null ? "0.1.0" : version)),
        split(env.get("KETCH_JAVA_COMMAND"), DEFAULT_JAVA_COMMAND),
        split(env.get("KETCH_MEMBER_RESTORE_COMMAND"), List.of("ketchctl", "snapshot", "restore")),
        Path.of(env.getOrDefault("KETCH_BACKUP_SPOOL_DIR", System.getProperty("java.io.tmpdir"))),
        Duration.ofSeconds(
            Long.parseLong(env.getOrDefault("KETCH_SNAPSHOT_TIMEOUT_SECONDS", "600"))));
  }

  private static List<String> split(String value, List<String> otherwise) {
    if (value == null || value.isBlank()) {
      return otherwise;
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
