package org.qformerlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qformerlab.bench.TinyBench.number;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.bridge.Stage2Model;
import org.qformerlab.blip2.llm.OptConfig;

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
}
