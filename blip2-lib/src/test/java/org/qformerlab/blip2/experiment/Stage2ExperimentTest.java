package org.qformerlab.blip2.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.bridge.Stage2Model;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.data.Instructions;
import org.qformerlab.blip2.data.QuestionType;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.Stage2Config;
import org.qformerlab.blip2.experiment.config.Stage2Init;
import org.qformerlab.blip2.experiment.evaluation.ImageConditioning;
import org.qformerlab.blip2.experiment.report.Stage2Result;
import org.qformerlab.blip2.llm.LanguageModelCache;
import org.qformerlab.blip2.llm.LanguageText;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.train.MetricsLog;
import org.qformerlab.blip2.vision.ImageFeatures;

/** Stage 2 on the tiny preset: frozen LM, where the gradients go, learning, the run folder. */
class Stage2ExperimentTest {

    @TempDir
    Path dir;

    /** One cache for the class: the tiny language model is pretrained once. */
    @TempDir
    static Path cache;

    private Stage2Experiment.Options options(Path run, Path stage1) {
        return new Stage2Experiment.Options(run, cache, stage1, new PrintStream(new ByteArrayOutputStream(), true));
    }

    /** An answer as VQA exact match compares it: trimmed, lower case, single spaces. */
    private static String plain(String answer) {
        return answer.trim().toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ");
    }

    @Test
    void fromAStage1CheckpointTheLanguageModelStaysBitIdenticalAndTheRunFolderIsComplete() throws Exception {
        // every evaluated image is an example, so the test can count the metrics by hand
        ExperimentConfig c = ExperimentConfig.tiny().with("stage2.examples", ExperimentConfig.tiny().stage2().evalImages());
        Path stage1 = dir.resolve("stage1");
        Stage1Experiment.run(c, new Stage1Experiment.Options(stage1, cache, false,
                new PrintStream(new ByteArrayOutputStream(), true)));
        Path run = dir.resolve("stage2");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Stage2Result r = Stage2Experiment.run(c, new Stage2Experiment.Options(run, cache, stage1,
                new PrintStream(log, true)));

        for (String f : List.of("config.json", "metrics.jsonl", "results.json", "report.md")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " is missing");
        }
        assertEquals(stage1.resolve("checkpoints/step-000006"), r.stage1Checkpoint());
        assertEquals(Stage2Init.STAGE1, r.init());
        // the evaluation's progress, by hand: 4 units a caption and 9 an image's worth to the LM for each
        // of the 6 images, one unit per question answered from the soft prompt and one per question read
        // from the true captions; each part is said as it starts
        int questions = r.examples().stream().mapToInt(e -> e.questions().size()).sum();
        assertEquals(6, r.examples().size());
        EvaluationLines.assertCountedBar(log.toString(), 6 * (4 + 9) + 2L * questions, "captioning the images", 0);
        assertEquals(List.of("captioning the images", "answering the questions", "the LM reading the true captions",
                "the image's worth to the LM", "done"), EvaluationLines.of(log.toString()).stream()
                .map(EvaluationLines.Line::note).distinct().toList());

        // the frozen LM in the stage-2 checkpoint is the cached pretrained LM, bit for bit
        Path cached = LanguageModelCache.folder(cache, c.stage2().language(), c.data())
                .resolve("model.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> lm = Safetensors.read(m, cached);
            Map<String, NDArray> after = Safetensors.read(m, r.training().lastCheckpoint().resolve("model.safetensors"));
            for (Map.Entry<String, NDArray> e : lm.entrySet()) {
                if (e.getKey().equals("lm_head.weight")) {
                    continue; // the tied alias of embed_tokens
                }
                NDArray trained = after.get("opt_model." + e.getKey());
                assertTrue(trained != null, "opt_model." + e.getKey() + " missing from the stage-2 checkpoint");
                assertArrayEquals(e.getValue().toByteArray(), trained.toByteArray(), e.getKey());
            }
            // ... while the Q-Former moved away from its stage-1 weights
            Map<String, NDArray> s1 = Safetensors.read(m, r.stage1Checkpoint().resolve("model.safetensors"));
            assertFalse(java.util.Arrays.equals(s1.get("query_tokens").toByteArray(), after.get("query_tokens").toByteArray()));
        }

        // metrics: one row per step, a validation row every evalEvery steps, the final test evaluation row
        List<Map<String, Object>> rows = MetricsLog.read(run.resolve("metrics.jsonl"));
        int steps = c.stage2().train().steps();
        int every = c.stage2().train().evalEvery();
        assertEquals(steps + steps / every + 1, rows.size());
        assertEquals(Boolean.TRUE, rows.get(rows.size() - 1).get("eval"));
        List<Map<String, Object>> validation = rows.stream().filter(x -> x.containsKey("val_cider")).toList();
        assertEquals(List.of((long) every, (long) steps),
                validation.stream().map(x -> ((Number) x.get("step")).longValue()).toList());
        for (Map<String, Object> v : validation) {
            for (String name : List.of("val_cider", "val_bleu4", "val_vqa", "val_vqa_majority", "val_vqa_colour")) {
                double value = ((Number) v.get(name)).doubleValue();
                assertTrue(value >= 0 && value <= 10, name + " = " + value);
            }
        }
        assertEquals(2, r.training().evaluations().size());
        Map<String, Double> metrics = r.metrics();
        for (String name : List.of("lm_loss_matched", "lm_loss_mismatched")) {
            assertTrue(metrics.get(name) > 0 && metrics.get(name) <= 10, name + " = " + metrics.get(name));
        }
        assertEquals(c.stage2().evalImages(), r.captionImages());
        assertEquals(c.stage2().examples(), r.examples().size());
        // VQA exact match and the majority baseline, counted by hand over every question asked
        int asked = 0;
        int right = 0;
        int majorityRight = 0;
        Map<QuestionType, int[]> byType = new java.util.EnumMap<>(QuestionType.class);
        List<String> captions = new java.util.ArrayList<>();
        List<List<String>> references = new java.util.ArrayList<>();
        for (Stage2Result.Example e : r.examples()) {
            captions.add(e.caption());
            references.add(e.sample().captions());
            for (int q = 0; q < e.questions().size(); q++) {
                String truth = plain(e.questions().get(q).answer());
                int[] t = byType.computeIfAbsent(e.questions().get(q).type(), k -> new int[2]);
                asked++;
                t[1]++;
                if (plain(e.answers().get(q)).equals(truth)) {
                    right++;
                    t[0]++;
                }
                if (truth.equals(r.vqa().majority().get(e.questions().get(q).type()))) {
                    majorityRight++;
                }
            }
        }
        assertTrue(asked > 0 && majorityRight > 0, "the tiny world asks questions, some answered by the majority");
        assertEquals(right / (double) asked, metrics.get("vqa"), 1e-12);
        assertEquals(majorityRight / (double) asked, metrics.get("vqa_majority"), 1e-12);
        byType.forEach((type, t) -> assertEquals(t[0] / (double) t[1],
                metrics.get("vqa_" + type.name().toLowerCase(java.util.Locale.ROOT)), 1e-12, type.name()));
        // BLEU-4 and CIDEr-D are those of exactly these captions against each image's references
        assertEquals(org.qformerlab.blip2.eval.Bleu.corpusOfStrings(captions, references).bleu(), metrics.get("bleu4"), 1e-12);
        assertEquals(org.qformerlab.blip2.eval.CiderD.corpusOfStrings(captions, references).cider(), metrics.get("cider"),
                1e-12);
        String report = Files.readString(run.resolve("report.md"));
        assertTrue(report.contains("Zero-shot VQA") && report.contains("CIDEr-D") && report.contains("image worth"), report);
        // the frozen LM reading the true captions is asked every question the soft prompt was asked
        for (QuestionType type : r.vqa().types()) {
            assertEquals(r.vqa().count(type), r.reading().count(type), type.name());
            String name = "vqa_reading_" + type.name().toLowerCase(java.util.Locale.ROOT);
            double hits = metrics.get(name) * r.reading().count(type);
            assertEquals(Math.rint(hits), hits, 1e-9, name + " = " + metrics.get(name) + " is not a count of right answers");
            assertEquals(byType.get(type)[1], r.reading().count(type), type.name());
        }
        assertTrue(report.contains("LM reading the true captions"), report);
        assertTrue(report.contains("### Validation during training") && report.contains("| " + every + " |")
                && report.contains("| " + steps + " |") && report.contains("validation images are captioned and asked"
                + " their questions every " + every + " steps."), report);
        int tenth = Math.max(1, c.stage2().train().steps() / 10);
        assertTrue(report.contains("over the first tenth of the steps (1-" + tenth + "): stage 1 "), report);
        // the sentence under the VQA table sorts every question type asked into beaten / not beaten
        String verdict = report.lines().filter(l -> l.contains("twice its sampling error")).findFirst().orElseThrow();
        for (QuestionType type : r.vqa().types()) {
            String name = type.name().toLowerCase(java.util.Locale.ROOT);
            assertTrue(verdict.contains(name), name + " missing from: " + verdict);
        }
        for (String fig : report.lines().filter(l -> l.startsWith("![")).toList()) {
            String file = fig.substring(fig.indexOf("](") + 2, fig.length() - 1);
            assertTrue(Files.isRegularFile(run.resolve(file)), "figure " + file + " is missing");
        }

        // InstructBLIP's Q-Former starts from the same checkpoint; its instructions are read with the
        // stage-1 tokenizer, and its text side trains too
        Stage2Result instructed = Stage2Experiment.run(c.with("stage2.bridge.type", "instruction-qformer"),
                options(dir.resolve("instructed"), stage1));
        assertEquals(r.stage1Checkpoint(), instructed.stage1Checkpoint());
        assertTrue(instructed.parameters() > r.parameters(), instructed.parameters() + " vs " + r.parameters());
        assertTrue(Double.isFinite(instructed.losses().last().get("total")));
    }

    @Test
    void stage1InitWithoutAStage1RunIsAClearError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Stage2Experiment.run(ExperimentConfig.tiny(), options(dir.resolve("x"), null)));
        assertTrue(e.getMessage().contains("stage2.stage1Run") && e.getMessage().contains("SCRATCH"), e.getMessage());
    }

    @Test
    void fromScratchTheTrainingRunsAndLogsTheLmLoss() {
        ExperimentConfig c = ExperimentConfig.tiny();
        Stage2Config s2 = c.stage2().withInit(Stage2Init.SCRATCH);
        Stage2Result r = Stage2Experiment.run(c.withStage2(s2), options(dir.resolve("scratch"), null));
        assertNull(r.stage1Checkpoint());
        assertEquals(Stage2Init.SCRATCH, r.init());
        assertTrue(Double.isFinite(r.losses().last().get("total")));
    }

    /**
     * Stage 2 resumes: six steps in one go, and the same run killed after step 4 (its last checkpoint
     * is step 3) and resumed with {@code resume}, which trains steps 4 to 6 and ends with the one-go
     * run's checkpoint byte for byte; resuming the finished run trains nothing, and its log keeps one
     * final evaluation row.
     */
    @Test
    void resumingAnInterruptedStage2RunEndsWhereOneRunEnds() throws Exception {
        ExperimentConfig c = ExperimentConfig.tiny().with(Map.of("stage2.init", "SCRATCH",
                "stage2.train.checkpointEvery", 3, "stage2.train.evalEvery", 0));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true);
        Path one = dir.resolve("one");
        Path two = dir.resolve("two");
        Stage2Experiment.run(c, options(one, null));
        Stage1ExperimentTest.StepCounter first = new Stage1ExperimentTest.StepCounter(4);
        assertThrows(Stage1ExperimentTest.Interrupted.class,
                () -> Stage2Experiment.run(c, new Stage2Experiment.Options(two, cache, null, false, quiet, first)));
        assertEquals(List.of(1L, 2L, 3L, 4L), first.steps);

        Stage1ExperimentTest.StepCounter second = new Stage1ExperimentTest.StepCounter(-1);
        Stage2Result resumed = Stage2Experiment.run(c, new Stage2Experiment.Options(two, cache, null, true, quiet, second));
        assertTrue(resumed.training().resumed());
        assertEquals(List.of(4L, 5L, 6L), second.steps, "the resumed run trains steps 4 to 6");
        assertEquals(List.of("resuming from " + two.resolve("checkpoints/step-000003") + " (step 3)"), second.resumed);
        for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
            assertArrayEquals(Files.readAllBytes(one.resolve("checkpoints/step-000006").resolve(file)),
                    Files.readAllBytes(two.resolve("checkpoints/step-000006").resolve(file)), file); // bit-identical
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), Stage1ExperimentTest.trainingSteps(two));

        byte[] finished = Files.readAllBytes(two.resolve("checkpoints/step-000006/model.safetensors"));
        Stage1ExperimentTest.StepCounter third = new Stage1ExperimentTest.StepCounter(-1);
        Stage2Result again = Stage2Experiment.run(c, new Stage2Experiment.Options(two, cache, null, true, quiet, third));
        assertEquals(List.of(), third.steps, "a finished run trains nothing more");
        assertArrayEquals(finished, Files.readAllBytes(two.resolve("checkpoints/step-000006/model.safetensors")));
        assertEquals(resumed.metrics().get("cider"), again.metrics().get("cider"), "the same weights caption alike");
        List<Map<String, Object>> rows = MetricsLog.read(two.resolve("metrics.jsonl"));
        assertEquals(6 + 1, rows.size(), "six steps and one final evaluation row: " + rows);
        assertEquals(Boolean.TRUE, rows.get(6).get(MetricsLog.FINAL));
    }

    @Test
    void theLmLossFallsWhenTheQFormerLearnsToPromptTheFrozenLm() {
        ExperimentConfig c = ExperimentConfig.tiny();
        ShapesDataset world = ShapesWorld.generate(c.data());
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModelCache.Entry lm = LanguageModelCache.pretrainOrLoad(c.stage2().language(), world, cache, m, null);
            Seeds.set(5);
            Stage2Model model = Stage2Experiment.model(c.resolved(208, 30).qformer(), lm.model(), m);
            LanguageText text = new LanguageText(lm.tokenizer(), 40);
            var samples = world.split(org.qformerlab.blip2.data.Split.TRAIN).subList(0, 4);
            // four distinct images (a constant image per sample, as before, is erased by ln_vision:
            // every image would look the same and only a caption prior could be learned)
            NDArray fixed = m.randomNormal(new Shape(4, 16, 208));
            float[] losses = new float[40];
            try (org.qformerlab.blip2.train.AdamW adam = new org.qformerlab.blip2.train.AdamW(
                    model.namedParameters(), 0.9, 0.98, 1e-8, 0.0)) {
                for (int step = 0; step < losses.length; step++) {
                    try (NDManager scope = m.newSubManager()) {
                        // a fixed batch: four images, each with its own first caption
                        NDArray images = fixed.duplicate();
                        images.attach(scope);
                        TextTensors t = text.collate(scope, samples.stream().map(s -> s.captions().get(0)).toList());
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray loss = model.forward(scope, images, t.ids(), t.mask(), LanguageText.PROMPT_LENGTH, true).loss();
                            losses[step] = loss.getFloat();
                            gc.backward(loss);
                        }
                        adam.step(3e-3);
                    }
                }
            }
            double matched;
            double mismatched;
            try (NDManager scope = m.newSubManager();
                 org.qformerlab.blip2.nn.GradMode ignored = org.qformerlab.blip2.nn.GradMode.off()) {
                TextTensors t = text.collate(scope, samples.stream().map(s -> s.captions().get(0)).toList());
                matched = model.forward(scope, fixed, t.ids(), t.mask(), LanguageText.PROMPT_LENGTH, false).loss().getFloat();
                NDArray rolled = fixed.get(scope.create(new long[] {1, 2, 3, 0})); // each caption behind another image
                rolled.attach(scope);
                mismatched = model.forward(scope, rolled, t.ids(), t.mask(), LanguageText.PROMPT_LENGTH, false).loss().getFloat();
            }
            float first = losses[0];
            float last = losses[losses.length - 1];
            System.out.printf("Q-Former: LM loss %.3f -> %.3f in %d steps; after training the image is worth %.3f nats"
                    + " per token (matched %.3f, mismatched %.3f)%n", first, last, losses.length, mismatched - matched,
                    matched, mismatched);
            // no dropout and a fixed batch: without learning the loss would not move at all. Measured:
            // 1.830 -> 1.640 (a 10% fall), and the captions behind another image's prompt cost 0.30 nats
            // per token more than behind their own; demanded: a 7% fall, and 0.15 nats
            assertTrue(last < 0.93 * first, "LM loss " + first + " -> " + last);
            assertTrue(mismatched - matched > 0.15, "after training the image must be worth something: matched "
                    + matched + ", mismatched " + mismatched);
            for (int i = 10; i < losses.length; i += 10) {
                assertTrue(losses[i] < losses[i - 10], "LM loss at step " + i + ": " + losses[i] + " after " + losses[i - 10]);
            }
        }
    }

    @Test
    void theImageConditioningProbeIsZeroWhenEveryImageLooksTheSameAndNotOtherwise() {
        ExperimentConfig c = ExperimentConfig.tiny();
        ShapesDataset world = ShapesWorld.generate(c.data());
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModelCache.Entry lm = LanguageModelCache.pretrainOrLoad(c.stage2().language(), world, cache, m, null);
            Seeds.set(8);
            Stage2Model model = Stage2Experiment.model(c.resolved(208, 30).qformer(), lm.model(), m);
            LanguageText text = new LanguageText(lm.tokenizer(), 40);
            Instructions instructions = new Instructions(lm.tokenizer(), c.resolved(208, 30).qformer().maxTextLength());
            var samples = world.split(org.qformerlab.blip2.data.Split.TEST).subList(0, 6);
            ImageFeatures same = new ImageFeatures() {
                public NDArray get(NDManager scope, int[] ids) {
                    return scope.ones(new Shape(ids.length, 16, 208));
                }

                public int width() {
                    return 208;
                }
            };
            ImageFeatures distinct = new ImageFeatures() {
                public NDArray get(NDManager scope, int[] ids) {
                    float[] v = new float[ids.length * 16 * 208];
                    // varies along the width too: ln_vision would turn a constant vector into zeros
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) Math.sin(ids[i / (16 * 208)] * 13.0 + (i % (16 * 208)) * 0.7);
                    }
                    return scope.create(v, new Shape(ids.length, 16, 208));
                }

                public int width() {
                    return 208;
                }
            };
            ImageConditioning blind = ImageConditioning.measure(model, same, text, instructions, samples, 4, m);
            assertEquals(blind.matched(), blind.mismatched(), 0.0, "identical images cannot be worth anything");
            assertTrue(blind.matched() > 0 && Double.isFinite(blind.matched()), "loss " + blind.matched());
            ImageConditioning seeing = ImageConditioning.measure(model, distinct, text, instructions, samples, 4, m);
            // an untrained tiny Q-Former and LM pass little of the image on (a change of about 1e-5)
            assertNotEquals(seeing.matched(), seeing.mismatched(),
                    "different images give different prompts, so the two losses must differ: " + seeing);
            // by hand: the six images in chunks of four and two; in each, every caption behind its own
            // image and behind the next one of its chunk, through the model's whole forward pass
            double matched = 0;
            double mismatched = 0;
            try (NDManager scope = m.newSubManager();
                 org.qformerlab.blip2.nn.GradMode ignored = org.qformerlab.blip2.nn.GradMode.off()) {
                for (List<org.qformerlab.blip2.data.Sample> chunk : List.of(samples.subList(0, 4), samples.subList(4, 6))) {
                    List<String> captions = new java.util.ArrayList<>();
                    List<Integer> own = new java.util.ArrayList<>();
                    List<Integer> next = new java.util.ArrayList<>();
                    for (int j = 0; j < chunk.size(); j++) {
                        for (String caption : chunk.get(j).captions()) {
                            captions.add(caption);
                            own.add(chunk.get(j).id());
                            next.add(chunk.get((j + 1) % chunk.size()).id());
                        }
                    }
                    TextTensors t = text.collate(scope, captions);
                    matched += model.forward(scope, distinct.get(scope, own.stream().mapToInt(i -> i).toArray()), t.ids(),
                            t.mask(), LanguageText.PROMPT_LENGTH, false).loss().getFloat() / 2;
                    mismatched += model.forward(scope, distinct.get(scope, next.stream().mapToInt(i -> i).toArray()),
                            t.ids(), t.mask(), LanguageText.PROMPT_LENGTH, false).loss().getFloat() / 2;
                }
            }
            assertEquals(matched, seeing.matched(), 1e-5 * matched, "matched: " + seeing);
            assertEquals(mismatched, seeing.mismatched(), 1e-5 * mismatched, "mismatched: " + seeing);
        }
    }

    @Test
    void gradientsReachTheProjectionAndTheQFormerButNotTheLanguageModel() {
        ExperimentConfig c = ExperimentConfig.tiny();
        ShapesDataset world = ShapesWorld.generate(c.data());
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModelCache.Entry lm =
                    LanguageModelCache.pretrainOrLoad(c.stage2().language(), world, cache, m, null);
            Seeds.set(3);
            var q = c.resolved(208, 30).qformer();
            Stage2Model model = Stage2Experiment.model(q, lm.model(), m);
            LanguageText text = new LanguageText(lm.tokenizer(), 40);
            try (NDManager scope = m.newSubManager()) {
                NDArray images = scope.randomNormal(new Shape(2, 16, 208));
                TextTensors t = text.collate(scope, List.of(world.split(org.qformerlab.blip2.data.Split.TRAIN)
                        .get(0).captions().get(0), "a red circle"));
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(model.forward(scope, images, t.ids(), t.mask(), LanguageText.PROMPT_LENGTH, true).loss());
                }
                for (String name : List.of("opt_proj.weight", "query_tokens", "ln_vision.weight",
                        "Qformer.bert.encoder.layer.0.crossattention.self.query.weight",
                        "Qformer.bert.encoder.layer.1.output_query.dense.weight")) {
                    Parameter p = model.namedParameters().get(name);
                    assertTrue(p != null, name + " is not a parameter");
                    assertTrue(p.requiresGradient(), name + " must train");
                    double norm = p.getArray().getGradient().abs().sum().getFloat();
                    assertTrue(norm > 0, "no gradient reached " + name);
                }
                model.namedParameters().forEach((name, p) -> {
                    if (name.startsWith("opt_model.")) {
                        assertFalse(p.requiresGradient(), name + " must be frozen");
                    }
                });
            }
        }
    }
}
