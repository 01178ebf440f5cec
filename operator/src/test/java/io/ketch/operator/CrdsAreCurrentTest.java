package io.ketch.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * crds/ holds the CRDs generated from the model classes (target/classes/META-INF/fabric8, written
 * by the crd-generator plugin before the tests run). Run with -Dketch.crds.update=true to refresh
 * crds/ after a model change.
 */
class CrdsAreCurrentTest {
  static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
  static final Path REPO = Path.of(System.getProperty("ketch.repo.root", ".."));
  static final Path CRDS = REPO.resolve("crds");

  @Test
  void crdsDirectoryHoldsExactlyTheGeneratedCrds() throws IOException {
    List<Path> generated = yamlFiles(GENERATED);
    assertThat(generated)
        .extracting(Path::getFileName)
        .extracting(Path::toString)
        .contains("etcdclusters.ketch.io-v1.yml", "etcdbackups.ketch.io-v1.yml");
    if (Boolean.getBoolean("ketch.crds.update")) {
      // crds/ and its two shipped copies (ShippingTest checks the copies).
      for (Path dir :
          List.of(
              CRDS,
              REPO.resolve("manifests/crds"),
              REPO.resolve("charts/ketch-operator/files/crds"))) {
        Files.createDirectories(dir);
        for (Path file : generated) {
          Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    assertThat(yamlFiles(CRDS))
        .as(
            "crds/ files (refresh: ./mvnw -pl operator test -Dtest=CrdsAreCurrentTest -Dketch.crds.update=true)")
        .extracting(Path::getFileName)
        .containsExactlyInAnyOrderElementsOf(generated.stream().map(Path::getFileName).toList());
    for (Path file : generated) {
      assertThat(CRDS.resolve(file.getFileName()))
          .as(
              "crds/%s is stale (refresh: ./mvnw -pl operator test -Dtest=CrdsAreCurrentTest -Dketch.crds.update=true)",
              file.getFileName())
          .hasSameTextualContentAs(file);
    }
  }

  static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
    }
  }
}
