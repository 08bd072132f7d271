package org.qformerlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qformerlab.bench.TinyBench.number;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.bridge.Stage2Model;
import org.qformerlab.blip2.llm.LanguageFamily;
import org.qformerlab.blip2.llm.OptConfig;
import org.qformerlab.blip2.llm.T5Config;

/** The stage-2 step at a tiny size: it runs and reports sane fields (no timing assertions). */
class Stage2StepBenchmarkTest {

    @Test
    void tinyStepReportsPhasesLossAndOnlyTheBridgeTrains() throws Exception {
        Map<String, Object> f = TinyBench.runOnce(new Stage2StepBenchmark());
        BenchConfig c = TinyBench.config();
        @SuppressWarnings("unchecked")
        Map<String, Object> phases = (Map<String, Object>) f.get("phases_ms");
        assertEquals(java.util.List.of("qformer", "llm_forward", "backward", "clip", "adamw"), java.util.List.copyOf(phases.keySet()));
        // a random OPT (weights ~ N(0, 0.02)) predicts nearly uniformly: the LM loss is about ln(vocab)
        assertEquals(Math.log(c.vocab()), number(f, "loss"), 0.3);
        OptConfig opt = c.opt(c.queries() + c.textLength());
        assertEquals(1, opt.numLayers()); // half the Q-Former's 2 layers
        assertEquals((long) Stage2Flops.trainingStep(c.qformer(), opt, 3, 5, 6), ((Number) f.get("flops_per_step")).longValue());
        long bridgeTrainable;
        try (NDManager m = NDManager.newBaseManager()) {
            Stage2Model model = Stage2Model.create(c.qformer(), opt, m);
            bridgeTrainable = model.namedParameters().entrySet().stream()
                    .filter(e -> e.getValue().requiresGradient())
                    .peek(e -> assertTrue(!e.getKey().startsWith("opt_model"), e.getKey() + " of the frozen OPT trains"))
                    .map(Map.Entry::getValue).mapToLong(p -> p.getArray().size()).sum();
        }
        assertEquals(bridgeTrainable, ((Number) f.get("trainable_params")).longValue());
        assertEquals(1, f.get("prompt_len"));
    }

    /** {@code --language t5}: the same step behind a frozen T5 matched to the OPT's size. */
    @Test
    void tinyT5StepRunsBehindAFrozenT5AndOnlyTheBridgeTrains() throws Exception {
        BenchConfig c = TinyBench.config().withLanguage(LanguageFamily.T5);
        Map<String, Object> f = TinyBench.runOnce(new Stage2StepBenchmark(), c);
        assertEquals("t5", ((Map<?, ?>) f.get("config")).get("language"));
        T5Config t5 = c.t5();
        // the OPT would have 1 layer (half the Q-Former's 2): one encoder and one decoder block, its width
        assertEquals(List.of(1, 1, 16, 2, 8, 32, 20), List.of(t5.numLayers(), t5.numDecoderLayers(), t5.dModel(),
                t5.numHeads(), t5.dKv(), t5.dFf(), t5.vocabSize()));
        assertEquals(Map.of("family", "t5", "hidden", 16, "encoder_layers", 1, "decoder_layers", 1, "heads", 2,
                "ffn", 32, "vocab", 20), f.get("llm"));
        // a random T5 (weights ~ N(0, 0.02)) predicts nearly uniformly as well
        assertEquals(Math.log(c.vocab()), number(f, "loss"), 0.3);
        // the encoder reads Q queries + the prompt without its start token + EOS; the decoder the other 5 tokens
        assertEquals((long) Stage2Flops.trainingStep(c.qformer(), t5, 3, 5, 6, 1),
                ((Number) f.get("flops_per_step")).longValue());
        assertTrue(((Number) f.get("flops_per_step")).doubleValue()
                != Stage2Flops.trainingStep(c.qformer(), c.opt(c.queries() + c.textLength()), 3, 5, 6));
        long bridgeTrainable;
        try (NDManager m = NDManager.newBaseManager()) {
            Stage2Model model = Stage2Model.create(c.qformer(), t5, m);
            assertTrue(model.namedParameters().keySet().stream().anyMatch(k -> k.startsWith("t5_model")));
            bridgeTrainable = model.namedParameters().entrySet().stream()
                    .filter(e -> e.getValue().requiresGradient())
                    .peek(e -> assertTrue(!e.getKey().startsWith("t5_model"), e.getKey() + " of the frozen T5 trains"))
                    .map(Map.Entry::getValue).mapToLong(p -> p.getArray().size()).sum();
        }
        assertEquals(bridgeTrainable, ((Number) f.get("trainable_params")).longValue());
    }

    @Test
    void generateRefusesAT5WithTheFix() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new GenerateBenchmark().check(TinyBench.config().withLanguage(LanguageFamily.T5)));
        assertTrue(e.getMessage().contains("--language opt"), e.getMessage());
    }
}
