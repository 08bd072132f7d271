package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The study specs the project ships parse, expand to the intended variants, run their seeds (three
 * unless {@link #SEEDS} says otherwise: each spec's comment says how its count was chosen, from a
 * pilot's spread or the budget) and have a quick section; every run
 * of each, and of its quick mode, is a valid config of its experiment.
 */
class ShippedStudiesTest {

    static final Map<String, Integer> VARIANTS = Map.ofEntries(
            Map.entry("01-itg-helps-retrieval.yaml", 2),
            Map.entry("02-stage1-helps-stage2.yaml", 2),
            Map.entry("02b-stage1-probe.yaml", 2),
            Map.entry("03-query-count.yaml", 5),
            Map.entry("04-itc-mask.yaml", 2),
            Map.entry("05-loss-weights.yaml", 8),
            Map.entry("06-bridges.yaml", 5),
            Map.entry("07-cross-attention-frequency.yaml", 3),
            Map.entry("08-itm-gradient-share.yaml", 3),
            Map.entry("09-per-loss-moments.yaml", 3),
            Map.entry("10-masks.yaml", 5),
            Map.entry("11-language-family.yaml", 2));

    /** Seeds per study where not three. */
    static final Map<String, Integer> SEEDS = Map.of("02-stage1-helps-stage2.yaml", 6, "01-itg-helps-retrieval.yaml", 5,
            "02b-stage1-probe.yaml", 6, "06-bridges.yaml", 5, "03-query-count.yaml", 2);

    static Path studies() {
        String root = System.getProperty("repo.root");
        Path fromRoot = root == null ? null : Path.of(root, "ablations", "studies");
        return fromRoot != null && Files.isDirectory(fromRoot) ? fromRoot : Path.of("studies");
    }

    @Test
    void everyShippedStudyParsesWithAQuestionItsSeedsAndAQuickSection() throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(studies())) {
            files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(VARIANTS.keySet().stream().sorted().toList(),
                files.stream().map(p -> p.getFileName().toString()).toList());
        for (Path file : files) {
            StudySpec spec = StudySpec.read(file);
            String f = file.getFileName().toString();
            assertFalse(spec.question().isBlank(), f);
            assertTrue(spec.question().strip().endsWith("?"), f + " asks a question");
            assertTrue(List.of("stage1", "stage2").contains(spec.kind()), f);
            int seeds = SEEDS.getOrDefault(f, 3);
            assertEquals(java.util.stream.LongStream.rangeClosed(1, seeds).boxed().toList(), spec.seedList(), f);
            assertEquals(1, spec.quickSeedList().size(), f);
            String steps = spec.kind().equals("stage2") ? "stage2.train.steps" : "train.steps";
            assertEquals(20, spec.quickSet().get(steps).asInt(), f + ": quick." + steps);
            assertEquals(VARIANTS.get(f), spec.variants().size(), f);
            // every run of the study and of its quick mode is a valid config of its experiment (this
            // is what `ablate --plan` checks; 64 queries once failed it only when the study started)
            Study study = Study.load(file);
            assertEquals(VARIANTS.get(f) * seeds, study.plans(false, Path.of("unused")).size(), f);
            assertEquals(VARIANTS.get(f), study.plans(true, Path.of("unused")).size(), f);
        }
    }

    @Test
    void theItgStudyComparesOneOneZeroWithOneOneOne() {
        StudySpec spec = StudySpec.read(studies().resolve("01-itg-helps-retrieval.yaml"));
        Variant without = spec.variants().get(0);
        Variant with = spec.variants().get(1);
        assertEquals("ITC+ITM", without.name());
        assertEquals("ITC+ITM+ITG", with.name());
        assertEquals(List.of(1.0, 1.0, 0.0), weights(without));
        assertEquals(List.of(1.0, 1.0, 1.0), weights(with));
    }

    @Test
    void theBridgesStudyComparesFiveBridgesFromScratchAndEveryRunIsAValidStage2Config() {
        Study study = Study.load(studies().resolve("06-bridges.yaml"));
        assertEquals("stage2", study.experiment().kind());
        for (boolean quick : new boolean[] {false, true}) {
            List<RunPlan> plans = study.plans(quick, Path.of("unused"));
            assertEquals(quick ? 5 : 25, plans.size());
            List<String> types = plans.stream().map(p -> p.config().get("stage2").get("bridge").get("type").asText())
                    .distinct().toList();
            assertEquals(List.of("qformer", "perceiver", "linear", "attentional-pooling", "instruction-qformer"), types);
            for (RunPlan p : plans) {
                assertEquals("SCRATCH", p.config().get("stage2").get("init").asText());
                assertEquals(QFORMER_BRIDGE_AT_BASE, p.config().get("stage2").get("bridge").get("parameterBudget").asLong(),
                        "every bridge is sized to the Q-Former bridge's trainable parameters");
                assertEquals(p.seed(), p.config().get("stage2").get("train").get("seed").asLong(), "seeds vary stage 2");
            }
        }
    }

    /**
     * Study 11 compares the two families at the sizes its notes state, within one percent of each
     * other (0.52%): the OPT of the embedded recipe and a T5 of the same width with two encoder and two
     * decoder blocks, FFN 128 and 8 heads, over the shipped LM's vocabulary of 116 words.
     */
    @Test
    void theLanguageFamilyStudyComparesOptAndT5OfMatchedSize() {
        Study study = Study.load(studies().resolve("11-language-family.yaml"));
        int vocab = 116;
        Map<String, Long> parameters = new java.util.LinkedHashMap<>();
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (RunPlan p : study.plans(false, Path.of("unused"))) {
                var lm = org.qformerlab.blip2.experiment.config.ExperimentConfig.parse(p.config().toString(),
                        org.qformerlab.blip2.experiment.config.ExperimentConfig.embedded(), "run").stage2().language();
                org.qformerlab.blip2.nn.Module model = lm.family() == org.qformerlab.blip2.llm.LanguageFamily.T5
                        ? org.qformerlab.blip2.llm.T5Model.create(lm.t5(vocab, 0, 1), m)
                        : org.qformerlab.blip2.llm.OptModel.create(lm.opt(vocab, 1, 2), m);
                parameters.put(p.variant().name(), model.parameterCount(false));
            }
        }
        assertEquals(Map.of("OPT", 618_368L, "T5", 621_568L), parameters);
        assertTrue(Math.abs(parameters.get("T5") - parameters.get("OPT")) < 0.01 * parameters.get("OPT"));
    }

    /** The study's budget is the Q-Former bridge's count at its base: the embedded preset, 16 patches of width 784. */
    /** The Q-Former bridge's trainable parameters on the shipped testbed: its queries read the frozen ViT's features. */
    private static final long QFORMER_BRIDGE_AT_BASE = org.qformerlab.blip2.bridge.BridgeConfig.qformer()
            .trainableParameters(org.qformerlab.blip2.experiment.config.ExperimentConfig.embedded()
                            .resolved(org.qformerlab.blip2.experiment.config.ExperimentConfig.embedded().encoder().vit().width(),
                                    1000).qformer(),
                    64, org.qformerlab.blip2.llm.LanguagePretrainConfig.embedded().hiddenSize());

    private static List<Double> weights(Variant v) {
        return Stream.of("itc", "itm", "itg")
                .map(k -> v.overrides().get("objective." + k + "Weight").asDouble()).toList();
    }
}
