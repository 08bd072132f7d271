package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.ConfigException;

class StudySpecTest {

    static final String HEAD = """
            name: toy-study
            question: Does width help?
            kind: toy
            metrics:
              - {name: score, better: higher}
            """;

    static Study study(String body) {
        StudySpec spec = StudySpec.parse(HEAD + body, "spec.yaml");
        return Study.of(spec, new ToyExperiment(), Path.of("."), "spec.yaml");
    }

    static String error(String body) {
        return assertThrows(ConfigException.class, () -> study(body)).getMessage();
    }

    @Test
    void aStudyNameOrBaseFileThatLeavesItsFolderIsRefused() {
        String plain = ": it names the study's folder under runs/ablations/; give a plain name such as itg-helps-retrieval";
        assertEquals("spec.yaml: name '..' climbs out of its folder with '..'" + plain, assertThrows(ConfigException.class,
                () -> StudySpec.parse(HEAD.replace("name: toy-study", "name: '..'"), "spec.yaml")).getMessage());
        assertEquals("spec.yaml: name '.' is the current folder" + plain, assertThrows(ConfigException.class,
                () -> StudySpec.parse(HEAD.replace("name: toy-study", "name: '.'"), "spec.yaml")).getMessage());
        assertEquals("spec.yaml: name '../x' may only hold letters, digits, '.', '_' and '-' (it names a folder)",
                assertThrows(ConfigException.class,
                        () -> StudySpec.parse(HEAD.replace("name: toy-study", "name: '../x'"), "spec.yaml")).getMessage());
        assertEquals("spec.yaml: baseFile '../base.yaml' climbs out of its folder with '..': it must name a file in the"
                + " spec's folder . or below it", error("baseFile: ../base.yaml\n"));
        assertEquals("spec.yaml: baseFile '/etc/base.yaml' is absolute: it must name a file in the spec's folder . or"
                + " below it", error("baseFile: /etc/base.yaml\n"));
    }

    @Test
    void unknownTopLevelFieldIsNamed() {
        String m = error("gird: []\n");
        assertTrue(m.contains("unknown field 'gird' at the top level"), m);
        assertTrue(m.contains("grid"), "lists the known fields: " + m);
    }

    @Test
    void unknownFieldInsideAnAxisNamesTheAxis() {
        String m = error("grid:\n  - {path: model.width, valuez: [1, 2]}\n");
        assertTrue(m.contains("unknown field 'valuez' in grid[0]"), m);
    }

    @Test
    void unknownConfigPathNamesTheFieldTheVariantAndWhatExists() {
        String m = error("grid:\n  - {path: model.widht, values: [4, 8]}\n");
        assertTrue(m.contains("variant 'widht=4'"), m);
        assertTrue(m.contains("grid[0].path"), m);
        assertTrue(m.contains("no field 'widht' under 'model'"), m);
        assertTrue(m.contains("[width, depth]"), m);
    }

    @Test
    void zipLengthMismatchNamesBothAxesAndTheOrphanVariant() {
        String m = error("""
                zip:
                  - {path: model.width, values: [4, 8]}
                  - {path: objective.itgWeight, values: [0, 1, 2]}
                """);
        assertTrue(m.contains("zip[1] (objective.itgWeight) has 3 values but zip[0] (model.width) has 2"), m);
        assertTrue(m.contains("zip variant #3 (itgWeight=2) has no value for model.width"), m);
    }

    @Test
    void emptyAxisIsAnError() {
        String m = error("grid:\n  - {path: model.width, values: []}\n");
        assertTrue(m.contains("grid[0] (model.width).values is empty"), m);
        assertTrue(error("grid:\n  -\n").contains("grid[0] is empty"));
    }

    @Test
    void anUnknownKindNamesTheSpecFileAndTheKnownKinds(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path spec = java.nio.file.Files.writeString(dir.resolve("s.yaml"), HEAD.replace("kind: toy", "kind: stage9"));
        String m = assertThrows(ConfigException.class, () -> Study.load(spec)).getMessage();
        assertTrue(m.contains("s.yaml: kind: no experiment of kind 'stage9'; known kinds: [") && m.contains("toy"), m);
    }

    @Test
    void theExperimentsOwnValidationNamesTheVariant() {
        String m = error("grid:\n  - {path: objective.mode, values: [UNIMODAL, SIDEWAYS]}\n");
        assertTrue(m.contains("variant 'mode=SIDEWAYS'"), m);
        assertTrue(m.contains("objective.mode=SIDEWAYS must be UNIMODAL or BIDIRECTIONAL"), m);
    }

    @Test
    void quickOverridesAreCheckedAgainstTheBaseConfig() {
        String m = error("quick: {set: {train.stepz: 1}}\n");
        assertTrue(m.contains("quick.set 'train.stepz'"), m);
        assertTrue(m.contains("no field 'stepz' under 'train'"), m);
    }

    @Test
    void labelsMustMatchValuesAndPlotsMustNameMetrics() {
        assertTrue(error("grid:\n  - {path: model.width, values: [4, 8], labels: [narrow]}\n")
                .contains("grid[0] (model.width).labels has 1 labels for 2 values"));
        assertTrue(error("plots: {bars: [recall]}\n").contains("plots.bars names 'recall', which is not among the metrics"));
    }

    @Test
    void aZipAxisMayRepeatAValueButAGridAxisMayNot() {
        assertEquals(2, study("zip:\n  - {path: model.width, values: [4, 4]}\n  - {path: train.steps, values: [1, 2]}\n")
                .variants().size());
        assertTrue(error("grid:\n  - {path: model.width, values: [4, 4]}\n").contains("grid[0] (model.width).values repeats a value"));
    }

    @Test
    void gridIsACartesianProductTimesTheZip() {
        Study s = study("""
                grid:
                  - {path: model.width, values: [4, 8]}
                  - {path: objective.mode, values: [UNIMODAL, BIDIRECTIONAL], labels: [uni, bi]}
                zip:
                  - {path: train.steps, values: [5, 10, 20]}
                  - {path: train.noise, values: [0.0, 0.5, 1.0], labels: [quiet, mid, loud]}
                seeds: [7, 9]
                """);
        List<Variant> v = s.variants();
        assertEquals(2 * 2 * 3, v.size());
        assertEquals("width=4, uni, quiet", v.get(0).name());
        assertEquals("width=4, uni, mid", v.get(1).name());
        assertEquals("width=4, bi, quiet", v.get(3).name());
        assertEquals("width=8, bi, loud", v.get(11).name());
        assertEquals("width-8-bi-loud", v.get(11).slug());
        // the zip moves its axes together
        assertEquals(20, v.get(11).overrides().get("train.steps").asInt());
        assertEquals(1.0, v.get(11).overrides().get("train.noise").asDouble());
        List<RunPlan> plans = s.plans(false, Path.of("out"));
        assertEquals(12 * 2, plans.size());
        RunPlan last = plans.get(plans.size() - 1);
        assertEquals(9, last.config().get("train").get("seed").asLong());
        assertEquals(8, last.config().get("model").get("width").asInt());
        assertEquals("BIDIRECTIONAL", last.config().get("objective").get("mode").asText());
        assertEquals(Path.of("out", "runs", "width-8-bi-loud-seed9"), last.dir());
        // untouched fields keep the base values
        assertEquals(2, last.config().get("model").get("depth").asInt());
    }

    @Test
    void seedsAreACountOrAListAndQuickMayReplaceThem() {
        StudySpec spec = StudySpec.parse(HEAD + "seeds: 3\nquick: {seeds: [42], set: {train.steps: 1}}\n", "s");
        assertEquals(List.of(1L, 2L, 3L), spec.seedList());
        assertEquals(List.of(42L), spec.quickSeedList());
        Study s = Study.of(spec, new ToyExperiment(), Path.of("."), "s");
        RunPlan quick = s.plans(true, Path.of("q")).get(0);
        assertEquals(1, quick.config().get("train").get("steps").asInt());
        assertEquals(42, quick.config().get("train").get("seed").asLong());
        assertEquals(5, s.plans(false, Path.of("q")).get(0).config().get("train").get("steps").asInt());
    }

    @Test
    void aSeedPathListSeedsEveryPathItNames() {
        Study s = study("seeds: [7]\nseedPath: train.seed, model.depth\n");
        var config = s.plans(false, Path.of("q")).get(0).config();
        assertEquals(7, config.get("train").get("seed").asInt());
        assertEquals(7, config.get("model").get("depth").asInt());
        assertTrue(error("seedPath: train.seed,model.width\ngrid:\n  - {path: model.width, values: [1, 2]}\n")
                .contains("seedPath 'model.width' is also an axis"));
    }

    @Test
    void aPaperClaimMustNameTwoVariantsAndAMetricOfTheStudy() {
        String grid = "grid:\n  - {path: model.width, values: [1, 2]}\n";
        assertTrue(error(grid + "paper: {finding: x, better: width=9, worse: width=1, metric: score}\n")
                .contains("paper.better names 'width=9', which is not a variant"));
        assertTrue(error(grid + "paper: {finding: x, better: width=2, worse: width=1, metric: loss}\n")
                .contains("paper.metric names 'loss'"));
        study(grid + "paper: {finding: x, better: width=2, worse: width=1, metric: score}\n");
    }

    @Test
    void theHeadlineAndBaselineDefaultToThePaperClaimElseTheFirstMetricAndVariant() {
        String two = HEAD.replace("metrics:\n  - {name: score, better: higher}\n", "metrics:\n  - {name: score,"
                + " better: higher}\n  - {name: loss, better: lower}\n") + "grid:\n  - {path: model.width, values: [1, 2, 3]}\n";
        StudySpec plain = StudySpec.parse(two, "s");
        assertEquals("score", plain.headlineMetric().name());
        assertEquals("width=1", plain.baselineVariant());
        StudySpec paper = StudySpec.parse(two + "paper: {finding: x, better: width=3, worse: width=2, metric: loss}\n", "s");
        assertEquals("loss", paper.headlineMetric().name());
        assertEquals("width=2", paper.baselineVariant());
        StudySpec named = StudySpec.parse(two + "paper: {finding: x, better: width=3, worse: width=2, metric: loss}\n"
                + "headline: score\nbaseline: width=3\n", "s");
        assertEquals("score", named.headlineMetric().name());
        assertEquals("width=3", named.baselineVariant());
        assertEquals("s: headline names 'recall', which is not among the metrics [score, loss]; name the metric that"
                + " answers the question", assertThrows(ConfigException.class,
                        () -> StudySpec.parse(two + "headline: recall\n", "s")).getMessage());
        assertEquals("s: baseline names 'width=9', which is not a variant; the variants are [width=1, width=2, width=3]",
                assertThrows(ConfigException.class, () -> StudySpec.parse(two + "baseline: width=9\n", "s")).getMessage());
    }

    @Test
    void noAxesGivesOneBaseVariant() {
        assertEquals(List.of("base"), study("seeds: 2\n").variants().stream().map(Variant::name).toList());
    }
}
