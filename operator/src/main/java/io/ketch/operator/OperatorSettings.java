package io.ketch.operator;

import io.ketch.operator.resources.MemberImage;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings, from environment variables (the Deployment and the Helm chart set them):
 *
 * <ul>
 *   <li>KETCH_WATCH_NAMESPACES: comma-separated namespaces to watch; empty or unset: all namespaces
 *   <li>KETCH_MEMBER_IMAGE_REPOSITORY: where spec.version is looked up (default ketch/ketch-node)
 *   <li>KETCH_MEMBER_DEFAULT_VERSION: the member version when a cluster names none (default: the
 *       operator's own)
 *   <li>KETCH_MEMBER_COMMAND: comma-separated member command (default: the image's entrypoint;
 *       "etcd" for etcd images)
 *   <li>KETCH_HTTP_PORT: /healthz, /readyz and /metrics (default 8080)
 *   <li>KETCH_LEADER_ELECTION: "false" to run without the Lease (one replica only; default true)
 *   <li>KETCH_OPERATOR_NAMESPACE: where the leader Lease lives (the Deployment's namespace, from
 *       the downward API)
 *   <li>KETCH_MEMBER_TIMEOUT_SECONDS: timeout of one call to a member (default 5)
 * </ul>
 */
public record OperatorSettings(
    Set<String> watchedNamespaces,
    MemberImage memberImage,
    int httpPort,
    boolean leaderElection,
    String operatorNamespace,
    Duration memberTimeout) {
  public static final String LEASE_NAME = "ketch-operator";

  public static OperatorSettings fromEnvironment(Map<String, String> env) {
    String version = OperatorSettings.class.getPackage().getImplementationVersion();
    return new OperatorSettings(
        split(env.get("KETCH_WATCH_NAMESPACES")).stream().collect(Collectors.toUnmodifiableSet()),
        new MemberImage(
            env.getOrDefault("KETCH_MEMBER_IMAGE_REPOSITORY", "ketch/ketch-node"),
            env.getOrDefault("KETCH_MEMBER_DEFAULT_VERSION", version == null ? "0.1.0" : version),
            split(env.get("KETCH_MEMBER_COMMAND"))),
        Integer.parseInt(env.getOrDefault("KETCH_HTTP_PORT", "8080")),
        !"false".equalsIgnoreCase(env.getOrDefault("KETCH_LEADER_ELECTION", "true")),
        env.get("KETCH_OPERATOR_NAMESPACE"),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("KETCH_MEMBER_TIMEOUT_SECONDS", "5"))));
  }

  private static List<String> split(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
