package io.ketch.operator.backup;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ketch.operator.model.S3Destination;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/** Opens the {@link S3Store} of a destination, with the credentials from its Secret. */
final class S3Stores {
  private final KubernetesClient client;

  S3Stores(KubernetesClient client) {
    this.client = client;
  }

  S3Store open(String namespace, S3Destination destination) {
    Secret secret =
        client.secrets().inNamespace(namespace).withName(destination.getCredentialsSecret()).get();
    if (secret == null) {
      throw new BackupException(
          "credentials Secret "
              + namespace
              + "/"
              + destination.getCredentialsSecret()
              + " not found");
    }
    return new S3Store(
        new S3Store.Settings(
            destination.getEndpoint(),
            destination.getBucket(),
            destination.getRegion() == null
                ? S3Destination.DEFAULT_REGION
                : destination.getRegion(),
            Boolean.TRUE.equals(destination.getPathStyle()),
            value(secret, S3Destination.ACCESS_KEY_ID),
            value(secret, S3Destination.SECRET_ACCESS_KEY)));
  }

  /**
   * The key prefix under which one cluster's snapshots are kept: {@code
   * <keyPrefix><namespace>/<cluster>/}, so clusters sharing a bucket never see each other's.
   */
  static String clusterPrefix(S3Destination destination, String namespace, String cluster) {
    String prefix = Objects.requireNonNullElse(destination.getKeyPrefix(), "");
    return prefix + namespace + "/" + cluster + "/";
  }

  private static String value(Secret secret, String key) {
    Map<String, String> data = secret.getData();
    if (data != null && data.get(key) != null) {
      return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
    }
    Map<String, String> plain = secret.getStringData();
    if (plain != null && plain.get(key) != null) {
      return plain.get(key);
    }
    throw new BackupException(
        "credentials Secret " + secret.getMetadata().getName() + " has no key " + key);
  }
}
