package org.qformerlab.bench;

import java.util.List;

/**
 * One measurement of QFormer Lab's speed (a stage-1 training step, a stage-2 step, feature
 * extraction with or without the cache, generation with or without the KV cache, ...): one class
 * each, found through {@link Benchmarks}. A benchmark builds what it needs from the sizes in a
 * {@link BenchConfig}, warms up, times, and returns {@link Measurement}s; the {@code bench} verb
 * prints each as one JSON object. Benchmarks never assert a speed: the numbers are for people.
 */
public interface Benchmark {

    /** The name printed in the JSON and selected with {@code --only} (e.g. {@code stage1-step}). */
    String name();

    /** One line for {@code qformerlab bench --help}. */
    String summary();

    /**
     * Refuses sizes this benchmark cannot run (say a frozen LM family it does not build), before any
     * benchmark of a run starts: {@link IllegalArgumentException} with the problem and the fix.
     */
    default void check(BenchConfig config) {}

    /**
     * Runs the measurement.
     *
     * @param config the sizes (model, batch, steps, warm-up)
     * @param env the device, precision and the same-process matmul reference
     */
    List<Measurement> run(BenchConfig config, BenchEnvironment env) throws Exception;
}
