package io.ketch.cli;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * ketchctl knows nothing of the server: it speaks gRPC through the generated io.ketch.pb stubs.
 * Only SnapshotRestore, the single entry point of `snapshot restore`, may reach the storage or
 * server snapshot code once it exists.
 */
class CliArchitectureTest {
  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.ketch");

  @Test
  void cliUsesOnlyTheWireTypesOfTheProject() {
    noClasses()
        .that()
        .resideInAPackage("io.ketch.cli..")
        .and()
        .doNotHaveFullyQualifiedName(SnapshotRestore.class.getName())
        .and()
        .doNotHaveFullyQualifiedName(SnapshotRestore.Config.class.getName())
        .should()
        .dependOnClassesThat(
            resideInAPackage("io.ketch..")
                .and(resideOutsideOfPackages("io.ketch.cli..", "io.ketch.pb..")))
        .check(CLASSES);
  }
}
