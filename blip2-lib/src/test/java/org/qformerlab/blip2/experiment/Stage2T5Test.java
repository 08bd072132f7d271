package org.qformerlab.blip2.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.Stage2Config;
import org.qformerlab.blip2.experiment.config.Stage2Init;
import org.qformerlab.blip2.experiment.report.Stage2Result;
import org.qformerlab.blip2.llm.LanguageFamily;
import org.qformerlab.blip2.llm.LanguageModelCache;
import org.qformerlab.blip2.llm.LanguageText;
import org.qformerlab.blip2.train.MetricsLog;

/** Stage 2 with the T5 family ({@code stage2.language.family=T5}): config, prompts, a whole run. */
class Stage2T5Test {

    @TempDir
    Path dir;

    @TempDir
    static Path cache;

    @Test
    void theFamilyParsesDefaultsToOptAndRejectsAnUnknownName() {
        ExperimentConfig tiny = ExperimentConfig.tiny();
        assertEquals(LanguageFamily.OPT, tiny.stage2().language().family());
        assertEquals(LanguageFamily.OPT, ExperimentConfig.embedded().stage2().language().family());
        ExperimentConfig t5 = tiny.with("stage2.language.family", "T5");
        assertEquals(LanguageFamily.T5, t5.stage2().language().family());
        // the rest of the recipe is untouched, and the config round-trips through its JSON
        assertEquals(tiny.stage2().language().withFamily(LanguageFamily.T5), t5.stage2().language());
        assertEquals(t5, ExperimentConfig.parse(t5.toJson(), ExperimentConfig.tiny(), "test"));
        assertTrue(t5.toJson().contains("\"family\" : \"T5\""), t5.toJson());
        // a config written before the field existed reads as OPT
        String old = tiny.toJson().replace("\"family\" : \"OPT\",", "");
        assertFalse(old.contains("family"));
        assertEquals(LanguageFamily.OPT,
                ExperimentConfig.parse(old, ExperimentConfig.tiny(), "old").stage2().language().family());
        ConfigException e = assertThrows(ConfigException.class, () -> tiny.with("stage2.language.family", "GPT"));
        assertTrue(e.getMessage().contains("family") && e.getMessage().contains("T5"), e.getMessage());
    }

    @Test
    void promptsAreFramedPerFamily() {
        WordTokenizer tokenizer = WordTokenizer.fromTexts(List.of("question: what colour is the circle? answer: red"));
        LanguageText opt = new LanguageText(tokenizer, 40, LanguageFamily.OPT);
        LanguageText t5 = new LanguageText(tokenizer, 40, LanguageFamily.T5);
        String q = "Question: what colour is the circle? Answer:";
        List<String> words = WordTokenizer.tokenize(q);
        long[] expectedOpt = new long[words.size() + 1];
        long[] expectedT5 = new long[words.size() + 1];
        expectedOpt[0] = WordTokenizer.EOS_ID;
        for (int i = 0; i < words.size(); i++) {
            expectedOpt[i + 1] = tokenizer.id(words.get(i));
            expectedT5[i] = tokenizer.id(words.get(i));
        }
        expectedT5[words.size()] = WordTokenizer.EOS_ID;
        assertArrayEquals(expectedOpt, opt.prompt(q)); // </s> words: the OPT continues it
        assertArrayEquals(expectedT5, t5.prompt(q)); // words </s>: the T5 encoder reads it
        // a caption's prompt is </s> for both: OPT's BOS, the end of T5's empty encoder text
        assertArrayEquals(new long[] {WordTokenizer.EOS_ID}, opt.prompt(""));
        assertArrayEquals(new long[] {WordTokenizer.EOS_ID}, t5.prompt(""));
    }

    @Test
    void aTinyStage2WithAT5TrainsEvaluatesAndKeepsTheT5Frozen() throws Exception {
        ExperimentConfig tiny = ExperimentConfig.tiny();
        Stage2Config s2 = tiny.stage2().withInit(Stage2Init.SCRATCH)
                .withTrain(tiny.stage2().train().withSteps(40).withBookkeeping(20, 40, 1));
        ExperimentConfig c = tiny.withStage2(s2).with("stage2.language.family", "T5");
        Path run = dir.resolve("stage2-t5");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Stage2Result r = Stage2Experiment.run(c, new Stage2Experiment.Options(run, cache, null,
                new PrintStream(bytes, true)));
        String log = bytes.toString();
        assertTrue(log.contains("pretraining a T5") && log.contains("t5_proj -> frozen T5"), log);
        for (String f : List.of("config.json", "metrics.jsonl", "results.json", "report.md")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " is missing");
        }
        assertTrue(Files.readString(run.resolve("report.md")).contains("frozen T5"));

        // the loss falls: the first steps' mean against the last steps' (LossSummary's windows)
        double first = r.losses().first().get("total");
        double last = r.losses().last().get("total");
        assertTrue(last < 0.97 * first, "stage-2 loss with a T5: " + first + " -> " + last);

        // the evaluation numbers are there, each in its range
        Map<String, Double> metrics = r.metrics();
        for (String name : List.of("cider", "bleu4", "vqa", "vqa_majority", "vqa_colour", "vqa_reading")) {
            assertTrue(metrics.containsKey(name), name + " missing from " + metrics.keySet());
            double v = metrics.get(name);
            assertTrue(v >= 0 && v <= 10, name + " = " + v);
        }
        assertEquals(c.stage2().evalImages(), r.captionImages());
        List<Map<String, Object>> rows = MetricsLog.read(run.resolve("metrics.jsonl"));
        assertEquals(2, rows.stream().filter(x -> x.containsKey("val_cider")).count());

        // the checkpoint holds t5_proj and the frozen T5, bit for bit the cached pretrained one
        Path cached = LanguageModelCache.folder(cache, c.stage2().language(), c.data()).resolve("model.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> lm = Safetensors.read(m, cached);
            Map<String, NDArray> after = Safetensors.read(m, r.training().lastCheckpoint().resolve("model.safetensors"));
            assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("t5_proj.")), after.keySet().toString());
            assertFalse(after.keySet().stream().anyMatch(k -> k.startsWith("opt_")), after.keySet().toString());
            int compared = 0;
            for (Map.Entry<String, NDArray> e : lm.entrySet()) {
                NDArray trained = after.get("t5_model." + e.getKey());
                if (trained == null) {
                    continue; // a tied alias (encoder/decoder embed_tokens of shared)
                }
                assertArrayEquals(e.getValue().toByteArray(), trained.toByteArray(), e.getKey());
                compared++;
            }
            assertTrue(compared > 10, "only " + compared + " T5 tensors compared");
        }
    }
}
