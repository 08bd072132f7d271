package org.qformerlab.blip2;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The library's package rules, checked on its compiled main classes: data flows one way and packages
 * depend one way.
 *
 * <p><b>The layers of blip2-lib, low to high</b> ({@link #LAYERS}). A package may use the packages of
 * the layers below its own, never a package of its own layer, never one above:
 *
 * <pre>
 *   config | nn                 records and validation | NDArray building blocks
 *   checkpoint                  safetensors, name maps, atomic files
 *   cache                       user cache entries (build once under a lock, reuse, validate)
 *   data                        the shapes world, COCO captions, tokenizer, batching
 *   qformer                     the Q-Former
 *   objectives                  ITC, ITM, ITG and the stage-1 objective
 *   train                       optimiser, schedules, trainer, checkpoints, metrics log
 *   vision | llm                the frozen image encoder | the frozen language model (neither uses the other)
 *   bridge                      bridges and the stage-2 model
 *   eval                        metrics (retrieval, captions, VQA, binding)
 *   report                      tables, charts, Markdown reports
 *   experiment.config           the experiment's config records
 *   experiment.evaluation       evaluating a trained run
 *   experiment.report           a run's results and their reports
 *   experiment                  running stage 1 and stage 2 end to end
 * </pre>
 *
 * A new package must be placed in this table ({@code ensureAllClassesAreContainedInArchitecture}),
 * which is where its direction gets decided.
 */
@AnalyzeClasses(packages = "org.qformerlab", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The layers of {@code org.qformerlab.blip2}, low to high; packages in one layer are independent. */
    static final List<List<String>> LAYERS = List.of(
            List.of("config", "nn"),
            List.of("checkpoint"),
            List.of("cache"),
            List.of("data"),
            List.of("qformer"),
            List.of("objectives"),
            List.of("train"),
            List.of("vision", "llm"),
            List.of("bridge"),
            List.of("eval"),
            List.of("report"),
            List.of("experiment.config"),
            List.of("experiment.evaluation"),
            List.of("experiment.report"),
            List.of("experiment"));

    /** Where the list of every configuration record lives (see {@link #everyConfigRecordIsListed}). */
    static final String CONFIG_LIST = "src/main/java/org/qformerlab/blip2/config/package-info.java";

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("org.qformerlab.(**)")
            .should().beFreeOfCycles()
            .as("no cycles between the packages under org.qformerlab");

    @ArchTest
    static final ArchRule packagesDependDownwards = layered("org.qformerlab.blip2.", LAYERS);

    /**
     * Each package becomes a layer of its own that may use exactly the packages of the layers below,
     * so two packages of one layer may not use each other either.
     */
    static LayeredArchitecture layered(String prefix, List<List<String>> layers) {
        LayeredArchitecture architecture = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (List<String> layer : layers) {
            for (String pkg : layer) {
                architecture = architecture.layer(pkg).definedBy(prefix + pkg);
            }
        }
        List<String> below = new ArrayList<>();
        for (List<String> layer : layers) {
            for (String pkg : layer) {
                architecture = below.isEmpty()
                        ? architecture.whereLayer(pkg).mayNotAccessAnyLayer()
                        : architecture.whereLayer(pkg).mayOnlyAccessLayers(below.toArray(String[]::new));
            }
            below.addAll(layer);
        }
        return architecture.ensureAllClassesAreContainedInArchitecture()
                .as("the packages of " + prefix + "* depend only on the layers below them: " + layers);
    }

    /**
     * The config package lists every configuration record of the project: a record whose name ends
     * in {@code Config} that is missing from {@link #CONFIG_LIST} fails here, and so does an entry of
     * this library that names no such record.
     */
    @ArchTest
    static void everyConfigRecordIsListed(JavaClasses classes) throws IOException {
        Set<String> listed = listedConfigs(configList());
        Set<String> records = configRecords(classes);
        Set<String> missing = new TreeSet<>(records);
        missing.removeAll(listed);
        assertTrue(missing.isEmpty(), "configuration records missing from the list in " + CONFIG_LIST + ": " + missing
                + "; add a line {@link <name>} (package): what it configures");
        Set<String> stale = new TreeSet<>();
        for (String name : listed) {
            if (name.startsWith("org.qformerlab.blip2.") && !records.contains(name)) {
                stale.add(name);
            }
        }
        assertTrue(stale.isEmpty(), CONFIG_LIST + " lists configuration records that do not exist (moved or renamed?): "
                + stale);
    }

    /** The records whose simple name ends in {@code Config}, nested ones as {@code Outer.Config}. */
    static Set<String> configRecords(JavaClasses classes) {
        Set<String> records = new TreeSet<>();
        for (JavaClass c : classes) {
            if (c.isRecord() && c.getSimpleName().endsWith("Config")) {
                records.add(c.getFullName().replace('$', '.'));
            }
        }
        return records;
    }

    /** The fully qualified names of the {@code ...Config} types linked ({@code {@link}} or {@code {@code}}) in the list. */
    static Set<String> listedConfigs(String source) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\{@(?:link|code)\\s+(org\\.qformerlab\\.[\\w.]*Config)\\b").matcher(source);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The text of the config package's package-info, from this module (the working folder of its tests) or the repository. */
    static String configList() throws IOException {
        Path here = Path.of(CONFIG_LIST);
        if (!Files.exists(here)) {
            here = Path.of(System.getProperty("repo.root", ".")).resolve("blip2-lib").resolve(CONFIG_LIST);
        }
        return Files.readString(here);
    }
}
