package org.qformerlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qformerlab.bench.TinyBench.number;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.llm.OptConfig;

/** Generation at a tiny size: three strategies measured, cached and uncached greedy agree. */
class GenerateBenchmarkTest {

    @Test
    void tinyRunReportsEveryStrategyAndTheCacheChangesNoToken() throws Exception {
        Map<String, Object> f = TinyBench.runOnce(new GenerateBenchmark());
        assertEquals(6, f.get("new_tokens"));
        assertEquals(5, f.get("prefix_len")); // 4 queries + BOS
        for (String k : new String[] {"tokens_per_s_greedy_cache", "tokens_per_s_greedy_no_cache",
                "tokens_per_s_beam3_cache", "median_ms_greedy_no_cache", "median_ms_beam3_cache", "cache_speedup"}) {
            assertTrue(number(f, k) > 0, k + " = " + f.get(k));
        }
        assertEquals(Boolean.TRUE, f.get("same_tokens"));
        // greedy decoding emits batch x new tokens per call (EOS is off)
        assertEquals(3 * 6 / (number(f, "median_ms") / 1000), number(f, "tokens_per_s_greedy_cache"),
                1e-3 * number(f, "tokens_per_s_greedy_cache"));
        OptConfig opt = TinyBench.config().opt(5 + 6);
        assertEquals((long) Stage2Flops.generation(opt, 3, 5, 6, true), ((Number) f.get("flops_per_step")).longValue());
    }
}
