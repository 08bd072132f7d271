package org.qformerlab.cli;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.bench.BenchConfig;
import org.qformerlab.bench.BenchEnvironment;
import org.qformerlab.bench.Benchmark;
import org.qformerlab.bench.Benchmarks;
import org.qformerlab.bench.Measurement;
import org.qformerlab.bench.PeakMemory;
import org.qformerlab.blip2.llm.LanguageFamily;

/**
 * {@code qformerlab bench}: runs the registered {@link Benchmark}s at named sizes and prints one
 * JSON object per measurement on standard output (progress goes to standard error), so that
 * {@code qformerlab bench bench-mid > mid.jsonl} is a machine-readable record.
 */
public final class BenchVerb implements Verb {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "time training steps, feature extraction and generation; prints one JSON object per measurement";
    }

    @Override
    public String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: qformerlab bench [bench-small|bench-mid|bench-base ...] [options]\n\n");
        sb.append("Runs each benchmark at each named size (default bench-small) and prints one JSON line per\n");
        sb.append("measurement: median/min/max ms per step, samples/s, analytic FLOPs, achieved GFLOP/s against\n");
        sb.append("a float32 matmul measured in the same process, peak resident memory, engine, device, dtype.\n");
        sb.append("Stage-2 benchmarks put a frozen OPT behind the Q-Former (width = --hidden, half the --layers), or\n");
        sb.append("with --language t5 a T5 of the same width matched to that OPT's size (one encoder and one decoder\n");
        sb.append("block per three OPT layers);\n");
        sb.append("features runs a ViT of width --vision-width over about --patches patches; generate decodes\n");
        sb.append("--text-len tokens per image. Each adds its own fields (phases, tokens/s, speed-ups).\n\n");
        sb.append("options:\n");
        sb.append("  --only NAME[,NAME]   benchmarks to run (default: all)\n");
        sb.append("  --device D           auto | cpu | gpu | gpu:N (default auto)\n");
        sb.append("  --precision P        float32 | float16 | bfloat16 (default float32; also --dtype). float16 and bfloat16\n");
        sb.append("                       are mixed precision on a GPU: float32 weights, matmuls in P (stage1-step)\n");
        sb.append("  --threads N          PyTorch intra-op threads (default: the engine's choice)\n");
        sb.append("  --matmul N           size of the reference matmul (default 1024)\n");
        sb.append("  --trace FILE         write a PyTorch profiler trace of the last timed step (chrome://tracing)\n");
        sb.append("  --language L         opt | t5: the frozen LM of the stage-2 step (default opt; generate is OPT-only)\n");
        sb.append("  sizes (override the named config): --hidden --layers --heads --intermediate --queries\n");
        sb.append("    --cross-freq --vision-width --patches --text-len --vocab --embed --batch --steps --warmup\n\n");
        sb.append("benchmarks:\n");
        for (Benchmark b : Benchmarks.all().values()) {
            sb.append(String.format("  %-16s %s%n", b.name(), b.summary()));
        }
        return sb.toString();
    }

    /** {@code --precision}, or its older name {@code --dtype}; float32 when neither is given. */
    static String precision(Args args) {
        try {
            return BenchEnvironment.precisionOption(args.string("precision", null), args.string("dtype", null));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
    }

    @Override
    public int run(Args args, PrintStream out) throws Exception {
        List<String> names = args.positional().isEmpty() ? List.of("bench-small") : args.positional();
        Map<String, Integer> overrides = new LinkedHashMap<>();
        for (String option : BenchConfig.OPTIONS) {
            if (args.has(option)) {
                overrides.put(option, args.integer(option, 0));
            }
        }
        List<Benchmark> benchmarks = Benchmarks.select(args.string("only", null));
        String device = args.string("device", "auto");
        String dtype = precision(args);
        int threads = args.integer("threads", 0);
        int matmul = args.integer("matmul", 1024);
        String trace = args.string("trace", null);
        LanguageFamily language;
        try {
            language = BenchConfig.language(args.string("language", "opt"));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        args.checkAllUsed();

        List<BenchConfig> configs = new ArrayList<>();
        for (String n : names) {
            if (!BenchConfig.NAMES.contains(n)) {
                throw new Args.UsageException("unknown bench config '" + n + "': choose from " + BenchConfig.NAMES);
            }
            configs.add(BenchConfig.named(n).with(overrides).withLanguage(language));
        }
        for (BenchConfig c : configs) {
            for (Benchmark b : benchmarks) {
                try {
                    b.check(c); // refused before anything runs, not after the benchmarks ahead of it
                } catch (IllegalArgumentException e) {
                    throw new Args.UsageException(e.getMessage());
                }
            }
        }
        // precision is checked against the device before any array is created or cast
        BenchEnvironment env = BenchEnvironment.resolve(device, dtype, matmul)
                .withTrace(trace == null ? null : java.nio.file.Path.of(trace));
        if (threads > 0 && "PyTorch".equals(Engine.getInstance().getEngineName())) {
            JniUtils.setNumThreads(threads);
        }
        for (BenchConfig c : configs) {
            for (Benchmark b : benchmarks) {
                env.probe(); // the reference measured right before the timed work
                PeakMemory.reset(); // each benchmark's peak_rss_mb is its own
                System.err.println("bench: " + b.name() + " at " + c.name() + " (" + c.warmup() + " warm-up + "
                        + c.steps() + " timed steps) on " + env.device() + "...");
                for (Measurement m : b.run(c, env)) {
                    out.println(m.toJson());
                    out.flush();
                }
            }
        }
        return 0;
    }
}
