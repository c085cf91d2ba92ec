package io.tenantdb.provisioning.example;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layers of docs/architecture.md, checked on the compiled classes of core, the servlet, the pool and the example
 * (this module sees all four): the API knows no implementation, implementations know the API and SPI only, nothing
 * outside core reaches into {@code internal}, and the modules and the example's packages form no cycle.
 */
class ArchitectureTest {

    private static final String ROOT = "io.tenantdb.provisioning";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        // Test classes, including core's test-jar of fakes and fixtures, are not part of the layering.
        ImportOption mainCodeOnly =
                location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
        classes = new ClassFileImporter().withImportOption(mainCodeOnly).importPackages(ROOT);
    }

    @Test
    void theApiPackageKnowsNoImplementationAndNoAdapter() {
        noClasses().that().resideInAPackage(ROOT)
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".postgres..", ROOT + ".crypto..",
                        ROOT + ".servlet..", ROOT + ".example..")
                .check(classes);
    }

    @Test
    void theSpiKnowsOnlyTheApi() {
        noClasses().that().resideInAPackage(ROOT + ".spi..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".postgres..", ROOT + ".crypto..",
                        ROOT + ".internal..", ROOT + ".servlet..", ROOT + ".example..")
                .check(classes);
    }

    @Test
    void implementationsUseTheApiAndSpiOnly() {
        noClasses().that().resideInAnyPackage(ROOT + ".postgres..", ROOT + ".crypto..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".internal..", ROOT + ".servlet..",
                        ROOT + ".example..")
                .check(classes);
        noClasses().that().resideInAPackage(ROOT + ".postgres..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".crypto..")
                .check(classes);
        noClasses().that().resideInAPackage(ROOT + ".crypto..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".postgres..")
                .check(classes);
    }

    @Test
    void nothingOutsideCoreTouchesInternal() {
        noClasses().that().resideInAnyPackage(ROOT + ".servlet..", ROOT + ".pool..", ROOT + ".flyway..",
                        ROOT + ".micrometer..", ROOT + ".example..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".internal..")
                .check(classes);
    }

    @Test
    void theServletKnowsNoExample() {
        noClasses().that().resideInAPackage(ROOT + ".servlet..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".example..")
                .check(classes);
    }

    @Test
    void theFlywayModuleKnowsNeitherTheServletNorTheExample() {
        noClasses().that().resideInAPackage(ROOT + ".flyway..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".servlet..", ROOT + ".example..")
                .check(classes);
    }

    @Test
    void theAdaptersPackagesFormNoCycle() {
        slices().assignedFrom(ADAPTER_PACKAGES).should().beFreeOfCycles().check(classes);
    }

    /** Each package of the servlet and the example is one slice; core's packages are left out. */
    private static final SliceAssignment ADAPTER_PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            return name.startsWith(ROOT + ".servlet") || name.startsWith(ROOT + ".pool")
                    || name.startsWith(ROOT + ".example") ? SliceIdentifier.of(name) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "the packages of provisioning-servlet, provisioning-pool and provisioning-example";
        }
    };
}
