package io.ketch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package arrows of docs/architecture.md pointing one way: a package may use only the
 * packages below it in {@link #LAYERS}. {@code io.ketch.pb} (the etcd wire types) sits under
 * everything but raft, which depends on nothing of the project at all.
 */
class ArchitectureTest {

  static final List<String> LAYERS =
      List.of(
          "launch",
          "cli",
          "api",
          "server",
          "transport",
          "mvcc",
          "lease",
          "auth",
          "storage",
          "raft");

  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.ketch");

  @Test
  void arrowsOnlyPointDownTheList() {
    for (int i = 1; i < LAYERS.size(); i++) {
      String[] above =
          LAYERS.subList(0, i).stream().map(p -> "io.ketch." + p + "..").toArray(String[]::new);
      noClasses()
          .that()
          .resideInAPackage("io.ketch." + LAYERS.get(i) + "..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(above)
          .allowEmptyShould(true)
          .check(CLASSES);
    }
  }

  @Test
  void raftDependsOnNothingOfTheProject() {
    noClasses()
        .that()
        .resideInAPackage("io.ketch.raft..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("io.ketch.raft..", "java..", "com.google.protobuf..")
        .allowEmptyShould(true)
        .check(CLASSES);
  }
}
