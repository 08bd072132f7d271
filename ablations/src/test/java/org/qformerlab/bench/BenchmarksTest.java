package org.qformerlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The services file registers every benchmark, in the order {@code bench} runs them. */
class BenchmarksTest {

    @Test
    void everyBenchmarkIsRegisteredAndSelectable() {
        assertEquals(List.of("stage1-step", "stage1-step-per-loss", "stage2-step", "features", "generate"),
                List.copyOf(Benchmarks.all().keySet()));
        assertEquals(List.of("generate", "features"),
                Benchmarks.select("generate, features").stream().map(Benchmark::name).toList());
    }
}
