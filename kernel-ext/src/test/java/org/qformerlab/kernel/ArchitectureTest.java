package org.qformerlab.kernel;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The package rules across the three modules, checked on every main class this module sees (the
 * library, the ablations module and the kernel). blip2-lib's own {@code ArchitectureTest} orders the
 * library's packages; here the library is one layer, and the applications stand on it:
 *
 * <pre>
 *   blip2..            the library (knows no application)
 *   bench              benchmarks                          -&gt; blip2
 *   ablations          studies and their runner            -&gt; blip2, bench
 *   cli                the qformerlab command              -&gt; blip2, bench, ablations
 *   kernel.jshell      JShell evaluation                   -&gt; blip2
 *   kernel.display     rich display                        -&gt; blip2, kernel.jshell
 *   kernel.magic       the magics                          -&gt; blip2, bench, ablations, kernel.jshell, kernel.display
 *   kernel, kernel.jjava  the kernel and its JJava wiring  -&gt; blip2, kernel.jshell, kernel.display, kernel.magic
 * </pre>
 *
 * The command line and the kernel do not use each other.
 */
@AnalyzeClasses(packages = "org.qformerlab", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("org.qformerlab.(**)")
            .should().beFreeOfCycles()
            .as("no cycles between the packages under org.qformerlab, in any module");

    @ArchTest
    static final ArchRule applicationsStandOnTheLibrary = Architectures.layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("blip2").definedBy("org.qformerlab.blip2..")
            .layer("bench").definedBy("org.qformerlab.bench")
            .layer("ablations").definedBy("org.qformerlab.ablations")
            .layer("cli").definedBy("org.qformerlab.cli")
            .layer("kernel.jshell").definedBy("org.qformerlab.kernel.jshell")
            .layer("kernel.display").definedBy("org.qformerlab.kernel.display")
            .layer("kernel.magic").definedBy("org.qformerlab.kernel.magic")
            .layer("kernel").definedBy("org.qformerlab.kernel", "org.qformerlab.kernel.jjava")
            .whereLayer("blip2").mayNotAccessAnyLayer()
            .whereLayer("bench").mayOnlyAccessLayers("blip2")
            .whereLayer("ablations").mayOnlyAccessLayers("blip2", "bench")
            .whereLayer("cli").mayOnlyAccessLayers("blip2", "bench", "ablations")
            .whereLayer("kernel.jshell").mayOnlyAccessLayers("blip2")
            .whereLayer("kernel.display").mayOnlyAccessLayers("blip2", "kernel.jshell")
            .whereLayer("kernel.magic").mayOnlyAccessLayers("blip2", "bench", "ablations", "kernel.jshell", "kernel.display")
            .whereLayer("kernel").mayOnlyAccessLayers("blip2", "kernel.jshell", "kernel.display", "kernel.magic")
            .ensureAllClassesAreContainedInArchitecture()
            .as("the applications stand on the library, and the command line and the kernel do not use each other");

    /** The list of every configuration record, in blip2-lib's config package (it names the ablations module's too). */
    static final Path CONFIG_LIST = Path.of("blip2-lib/src/main/java/org/qformerlab/blip2/config/package-info.java");

    /** Every record named {@code ...Config} of any module is in the list (blip2-lib's test checks the library's alone). */
    @ArchTest
    static void everyConfigRecordIsListed(JavaClasses classes) throws IOException {
        Path root = Path.of(System.getProperty("repo.root", ".."));
        String list = Files.readString(root.resolve(CONFIG_LIST));
        Set<String> listed = new TreeSet<>();
        Matcher m = Pattern.compile("\\{@(?:link|code)\\s+(org\\.qformerlab\\.[\\w.]*Config)\\b").matcher(list);
        while (m.find()) {
            listed.add(m.group(1));
        }
        Set<String> missing = new TreeSet<>();
        for (JavaClass c : classes) {
            String name = c.getFullName().replace('$', '.');
            if (c.isRecord() && c.getSimpleName().endsWith("Config") && !listed.contains(name)) {
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), "configuration records missing from the list in " + CONFIG_LIST + ": " + missing
                + "; add a line {@code <name>} (package): what it configures");
    }
}
