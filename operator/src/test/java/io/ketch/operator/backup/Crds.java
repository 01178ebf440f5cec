package io.ketch.operator.backup;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The committed CRDs, registered on the mock API server so it serves the status subresource. */
final class Crds {
  private Crds() {}

  static void register(KubernetesClient client) {
    Path crds = Path.of(System.getProperty("ketch.repo.root", "..")).resolve("crds");
    for (String file : List.of("etcdclusters.ketch.io-v1.yml", "etcdbackups.ketch.io-v1.yml")) {
      try (InputStream in = Files.newInputStream(crds.resolve(file))) {
        client
            .resource(client.apiextensions().v1().customResourceDefinitions().load(in).item())
            .createOr(c -> c.update());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
