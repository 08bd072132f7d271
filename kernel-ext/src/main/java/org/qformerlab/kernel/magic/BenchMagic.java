package org.qformerlab.kernel.magic;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.bench.BenchConfig;
import org.qformerlab.bench.BenchEnvironment;
import org.qformerlab.bench.Benchmark;
import org.qformerlab.bench.Benchmarks;
import org.qformerlab.bench.Measurement;
import org.qformerlab.kernel.display.ProgressDisplay;

/**
 * {@code %bench [bench-small|bench-mid|bench-base] [--only NAMES] [--queries 8,16,32] ...}: the
 * benchmarks of the command line's {@code bench} verb, run in the notebook and shown as a table (one
 * row per benchmark and variant) and two plots (time per phase; achieved GFLOP/s against the matmul
 * measured in the same run). A size option given several values ({@code --queries 8,16,32}) makes one
 * variant per value; several such options make their grid. The table is bound (default {@code bench}).
 */
public final class BenchMagic implements Magic {

    private static final MagicSpec SPEC = buildSpec();

    private static MagicSpec buildSpec() {
        List<MagicOption> options = new ArrayList<>();
        options.add(MagicOption.valued("only", "NAME[,NAME]", "benchmarks to run: " + String.join(", ", Benchmarks.all().keySet())));
        options.add(MagicOption.valued("device", "D", "auto | cpu | gpu | gpu:N (default auto)"));
        options.add(MagicOption.valued("precision", "P", "float32 | float16 | bfloat16 (default float32): float16 is mixed precision"
                + " on a GPU (float32 weights); bfloat16 is refused (DJL's engine aborts on it)"));
        options.add(MagicOption.valued("dtype", "P", "the older name of --precision"));
        options.add(MagicOption.valued("threads", "N", "PyTorch intra-op threads (default: the engine's choice)"));
        options.add(MagicOption.valued("matmul", "N", "size of the reference matmul (default 1024)"));
        options.add(MagicOption.valued("language", "L", "opt | t5: the frozen LM of the stage-2 step (default opt; generate is OPT-only)"));
        for (String size : BenchConfig.OPTIONS) {
            options.add(MagicOption.valued(size, "N[,N...]", "override the size " + size + "; several values: one variant each"));
        }
        options.add(MagicOption.valued("as", "NAME", "variable to bind the results table to (default bench)"));
        return new MagicSpec("bench", false, "[" + String.join("|", BenchConfig.NAMES) + "]",
                "run the benchmarks of `qformerlab bench`: a table of ms/step, samples/s, GFLOP/s, memory, phases; plots",
                """
                Runs the benchmarks of the command line's bench verb (same sizes, same options) in this kernel
                and shows one row per benchmark and variant: median ms per step, samples/s, achieved GFLOP/s,
                the float32 matmul measured in the same run and the ratio of the two, peak resident memory,
                and the time per phase; then a plot of the time per phase and one of achieved against the
                matmul roofline. Give a size several values to compare variants in one call: --queries 8,16,32
                or --cross-freq 1,2 (several such options make their grid). Under QFORMERLAB_QUICK=1 (the
                tests) steps and warm-up are cut to 2 and 1.""",
                options, List.of("%bench --only stage1-step --queries 8,16,32",
                        "%bench bench-mid --only stage1-step,stage2-step --cross-freq 1,2"));
    }

    @Override
    public MagicSpec spec() {
        return SPEC;
    }

    @Override
    public List<String> completePositional(String prefix) {
        return BenchConfig.NAMES.stream().filter(n -> n.startsWith(prefix)).toList();
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) throws Exception {
        args.atMostPositionals(1);
        String size = args.positional(0, "bench-small");
        if (!BenchConfig.NAMES.contains(size)) {
            throw new MagicUsageException(SPEC, "unknown bench config '" + size + "': choose from " + BenchConfig.NAMES);
        }
        String variable = args.variable("as", "bench");
        List<Benchmark> benchmarks;
        try {
            benchmarks = Benchmarks.select(args.string("only", null));
        } catch (IllegalArgumentException e) {
            throw new MagicUsageException(SPEC, e.getMessage());
        }
        List<Map<String, Integer>> variants = variants(args);
        org.qformerlab.blip2.llm.LanguageFamily language;
        String precision;
        try {
            language = BenchConfig.language(args.string("language", "opt"));
            for (Map<String, Integer> variant : variants) {
                for (Benchmark b : benchmarks) {
                    b.check(BenchConfig.named(size).with(variant).withLanguage(language));
                }
            }
            precision = BenchEnvironment.precisionOption(args.string("precision", null), args.string("dtype", null));
        } catch (IllegalArgumentException e) {
            throw new MagicUsageException(SPEC, e.getMessage());
        }
        BenchEnvironment env = BenchEnvironment.resolve(args.string("device", "auto"), precision,
                args.integer("matmul", 1024, 16));
        int threads = args.integer("threads", 0, 0);
        if (threads > 0 && "PyTorch".equals(Engine.getInstance().getEngineName())) {
            JniUtils.setNumThreads(threads);
        }
        BenchConfig named = BenchConfig.named(size);
        int total = variants.size() * benchmarks.size();
        context.println(String.format(Locale.ROOT, "%d benchmark%s x %d variant%s at %s on %s%s", benchmarks.size(),
                benchmarks.size() == 1 ? "" : "s", variants.size(), variants.size() == 1 ? "" : "s", size, env.device(),
                QuickScale.active() ? " (QFORMERLAB_QUICK=1: 2 timed steps after 1 warm-up)" : ""));
        ProgressDisplay bar = ProgressDisplay.start(context.displays(), "bench", total, 250);
        BenchResults results = new BenchResults();
        int done = 0;
        try {
            for (Map<String, Integer> variant : variants) {
                BenchConfig config = named.with(variant).withLanguage(language);
                String label = BenchResults.label(variant, variants.size() > 1 ? varied(args) : List.of(), size);
                for (Benchmark b : benchmarks) {
                    bar.update(done, b.name() + " " + label);
                    env.probe();
                    for (Measurement m : b.run(config, env)) {
                        results.add(label, m);
                    }
                    done++;
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedException("stopped after " + done + " of " + total);
                    }
                }
            }
        } catch (Exception e) {
            bar.stopped("stopped: " + e.getMessage());
            throw e;
        }
        bar.finish(total + " measured");
        context.display(results.table());
        context.display(results.phaseChart());
        context.display(results.rooflineChart());
        context.bind(variable, tech.tablesaw.api.Table.class, results.table());
    }

    /** The size options given several values, in the order of {@link BenchConfig#OPTIONS}. */
    private static List<String> varied(MagicArgs args) {
        return BenchConfig.OPTIONS.stream().filter(o -> args.has(o) && args.string(o, "").contains(",")).toList();
    }

    /** The grid of size overrides: one map per variant (a single empty map when no size is given). */
    static List<Map<String, Integer>> variants(MagicArgs args) {
        List<Map<String, Integer>> grid = new ArrayList<>();
        grid.add(new LinkedHashMap<>());
        for (String option : BenchConfig.OPTIONS) {
            List<Integer> values = new ArrayList<>();
            if (args.has(option)) {
                for (String v : args.string(option, "").split(",")) {
                    try {
                        int n = Integer.parseInt(v.trim());
                        if (n < 1) {
                            throw new NumberFormatException();
                        }
                        values.add(n);
                    } catch (NumberFormatException e) {
                        throw new MagicUsageException(SPEC, "--" + option + " wants whole numbers of at least 1 separated by"
                                + " commas, got '" + args.string(option, "") + "'");
                    }
                }
            } else if (QuickScale.active() && (option.equals("steps") || option.equals("warmup"))) {
                values.add(option.equals("steps") ? 2 : 1);
            }
            if (values.isEmpty()) {
                continue;
            }
            List<Map<String, Integer>> next = new ArrayList<>();
            for (Map<String, Integer> g : grid) {
                for (int v : values) {
                    Map<String, Integer> m = new LinkedHashMap<>(g);
                    m.put(option, v);
                    next.add(m);
                }
            }
            grid = next;
        }
        return grid;
    }
}
