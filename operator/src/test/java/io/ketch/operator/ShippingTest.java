package io.ketch.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.ketch.operator.model.EtcdBackup;
import io.ketch.operator.model.EtcdCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What is shipped next to the code: manifests/ and the Helm chart carry the CRDs of crds/
 * unchanged, their RBAC rules are the same, the chart lints and renders (helm-java runs helm in
 * process, offline), and the samples parse as the model classes.
 */
class ShippingTest {
  static final Path REPO = CrdsAreCurrentTest.REPO;
  static final Path CHART = REPO.resolve("charts/ketch-operator");
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  @Test
  void manifestsAndChartCarryTheCrdsUnchanged() throws IOException {
    for (Path crd : CrdsAreCurrentTest.yamlFiles(CrdsAreCurrentTest.CRDS)) {
      assertThat(REPO.resolve("manifests/crds").resolve(crd.getFileName()))
          .as("manifests/crds/%s (copy it from crds/)", crd.getFileName())
          .hasSameTextualContentAs(crd);
      assertThat(CHART.resolve("files/crds").resolve(crd.getFileName()))
          .as("charts/ketch-operator/files/crds/%s (copy it from crds/)", crd.getFileName())
          .hasSameTextualContentAs(crd);
    }
  }

  @Test
  void chartLints() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  void chartRendersTheOperatorWithClusterWideRbacByDefault() throws IOException {
    List<HasMetadata> objects =
        render(new Helm(CHART).template().withName("ketch").withNamespace("ketch-system"));
    Deployment deployment = only(objects, Deployment.class);
    var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("ketch/ketch-operator:0.1.0");
    assertThat(container.getEnv())
        .anySatisfy(e -> assertThat(e.getName()).isEqualTo("KETCH_OPERATOR_NAMESPACE"));
    assertThat(env(container, "KETCH_OPERATOR_IMAGE")).isEqualTo(container.getImage());
    assertThat(objects)
        .filteredOn(o -> o.getKind().equals("CustomResourceDefinition"))
        .hasSize(2)
        .allSatisfy(
            crd ->
                assertThat(crd.getMetadata().getAnnotations())
                    .containsEntry("helm.sh/resource-policy", "keep"));
    ClusterRole role = only(objects, ClusterRole.class);
    assertThat(role.getRules()).isEqualTo(manifestRules());
  }

  @Test
  void chartWatchingNamespacesUsesRolesThereOnlyAndCanLeaveTheCrdsOut() throws IOException {
    List<HasMetadata> objects =
        render(
            new Helm(CHART)
                .template()
                .withName("ketch")
                .withNamespace("ketch-system")
                .set("watchNamespaces[0]", "team-a")
                .set("watchNamespaces[1]", "team-b")
                .set("crds.install", "false")
                .set("image.tag", "1.2.3"));
    assertThat(objects).noneMatch(o -> o.getKind().equals("ClusterRole"));
    assertThat(objects).noneMatch(o -> o.getKind().equals("CustomResourceDefinition"));
    assertThat(objects)
        .filteredOn(
            o -> o instanceof Role && !o.getMetadata().getName().endsWith("leader-election"))
        .extracting(o -> o.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b");
    var container =
        only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("ketch/ketch-operator:1.2.3");
    assertThat(env(container, "KETCH_OPERATOR_IMAGE")).isEqualTo("ketch/ketch-operator:1.2.3");
    assertThat(container.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("KETCH_WATCH_NAMESPACES");
              assertThat(e.getValue()).isEqualTo("team-a,team-b");
            });
  }

  @Test
  void theManifestsRunTheOperatorImageForItsOwnSteps() throws IOException {
    var container =
        only(
                parse(Files.readString(REPO.resolve("manifests/install/20-deployment.yaml"))),
                Deployment.class)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(env(container, "KETCH_OPERATOR_IMAGE")).isEqualTo(container.getImage());
  }

  /** Every KETCH_* variable the operator reads is in docs/operator.md's "Operator settings". */
  @Test
  void everySettingIsDocumented() throws IOException {
    Set<String> read = new TreeSet<>();
    Pattern variable = Pattern.compile("KETCH_[A-Z_]+[A-Z]");
    try (Stream<Path> files = Files.walk(REPO.resolve("operator/src/main"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        variable.matcher(Files.readString(file)).results().forEach(m -> read.add(m.group()));
      }
    }
    String doc = Files.readString(REPO.resolve("docs/operator.md"));
    String settings = doc.substring(doc.indexOf("## Operator settings"));
    settings = settings.substring(0, settings.indexOf("\n## ", 1));
    assertThat(read).isNotEmpty();
    for (String name : read) {
      assertThat(settings).as("docs/operator.md, Operator settings").contains("`" + name + "`");
    }
  }

  private static String env(io.fabric8.kubernetes.api.model.Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " is not set"))
        .getValue();
  }

  @Test
  void samplesParseAsTheModel() throws IOException {
    EtcdCluster cluster =
        SERIALIZATION.unmarshal(
            Files.readString(REPO.resolve("manifests/samples/etcdcluster.yaml")),
            EtcdCluster.class);
    assertThat(cluster.getSpec().getReplicas()).isEqualTo(3);
    assertThat(cluster.getSpec().getBackup().getDestination().getS3().getBucket())
        .isEqualTo("etcd-backups");
    String backupDocument =
        Files.readString(REPO.resolve("manifests/samples/etcdbackup.yaml"))
            .split("(?m)^---\\s*$")[1];
    EtcdBackup backup = SERIALIZATION.unmarshal(backupDocument, EtcdBackup.class);
    assertThat(backup.getSpec().getClusterRef().getName()).isEqualTo("main");
    assertThat(backup.getSpec().getDestination().getS3().getPathStyle()).isTrue();
  }

  private static List<PolicyRule> manifestRules() throws IOException {
    List<HasMetadata> rbac =
        parse(Files.readString(REPO.resolve("manifests/install/10-rbac.yaml")));
    return only(rbac, ClusterRole.class).getRules();
  }

  private static List<HasMetadata> render(com.marcnuri.helm.TemplateCommand template) {
    return parse(template.call());
  }

  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : yaml.split("(?m)^---\\s*$")) {
      if (document.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
      }
    }
    return objects;
  }

  private static <T> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> matching = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(matching).as(type.getSimpleName()).hasSize(1);
    return matching.get(0);
  }
}
