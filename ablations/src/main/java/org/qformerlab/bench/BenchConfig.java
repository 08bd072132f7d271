package org.qformerlab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.llm.LanguageFamily;
import org.qformerlab.blip2.llm.OptConfig;
import org.qformerlab.blip2.llm.T5Config;
import org.qformerlab.blip2.vision.VisionConfig;

/**
 * The sizes a benchmark runs at: the Q-Former's dimensions, the inputs (patches, text length),
 * the batch, and how many steps are warm-up and how many are timed. Three named sizes:
 *
 * <ul>
 *   <li>{@code bench-small}: the reference fixture {@code lavis-qformer-small} (read from its
 *       {@code config.json} when present, else a built-in copy of the same numbers);
 *   <li>{@code bench-mid}: the embedded default's scale (hidden 256, 6 layers, 32 queries);
 *   <li>{@code bench-base}: the paper's Q-Former (BERT-base, 32 queries over ViT-g features).
 * </ul>
 *
 * @param source where the sizes came from ({@code built-in}, {@code fixture:<path>}, plus
 *     {@code +overrides})
 * @param language the family of the frozen LM that stage-2 benchmarks put behind the Q-Former:
 *     {@link LanguageFamily#OPT} ({@link #opt}; the default when absent) or {@link LanguageFamily#T5}
 *     ({@link #t5}); the command line's {@code --language opt|t5}
 */
public record BenchConfig(
        String name,
        String source,
        int hidden,
        int layers,
        int heads,
        int intermediate,
        int queries,
        int crossFreq,
        int visionWidth,
        int patches,
        int textLength,
        int vocab,
        int embed,
        int batch,
        int steps,
        int warmup,
        LanguageFamily language) {

    public static final List<String> NAMES = List.of("bench-small", "bench-mid", "bench-base");

    /** Sizes with the frozen OPT behind the Q-Former. */
    public BenchConfig(String name, String source, int hidden, int layers, int heads, int intermediate, int queries,
            int crossFreq, int visionWidth, int patches, int textLength, int vocab, int embed, int batch, int steps,
            int warmup) {
        this(name, source, hidden, layers, heads, intermediate, queries, crossFreq, visionWidth, patches, textLength,
                vocab, embed, batch, steps, warmup, LanguageFamily.OPT);
    }

    public BenchConfig {
        language = language == null ? LanguageFamily.OPT : language;
        String c = "bench config '" + name + "': ";
        check(patches >= 1, c + "--patches=" + patches + " must be at least 1");
        check(textLength >= 2, c + "--text-len=" + textLength + " must be at least 2 ([CLS] and one word; ITG predicts the next token)");
        check(batch >= 2, c + "--batch=" + batch + " must be at least 2 (ITM draws its negatives from the other pairs of the batch)");
        check(steps >= 1, c + "--steps=" + steps + " must be at least 1 (timed steps)");
        check(warmup >= 0, c + "--warmup=" + warmup + " must be 0 or more");
        check(vocab >= 4, c + "--vocab=" + vocab + " must be at least 4 (pad, [CLS], [DEC] and one word)");
        qformerOf(hidden, layers, heads, intermediate, queries, crossFreq, visionWidth, vocab, textLength, embed);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The Q-Former at these sizes, with BERT's dropout (0.1) as in training. */
    public QFormerConfig qformer() {
        return qformerOf(hidden, layers, heads, intermediate, queries, crossFreq, visionWidth, vocab, textLength, embed);
    }

    private static QFormerConfig qformerOf(
            int hidden, int layers, int heads, int intermediate, int queries, int crossFreq,
            int visionWidth, int vocab, int textLength, int embed) {
        return new QFormerConfig(hidden, layers, heads, intermediate, queries, crossFreq, visionWidth,
                vocab, textLength, 0.1, 0.1, 1e-12, embed, 0.07, 0, 1, 2);
    }

    /**
     * The frozen OPT that stage-2 benchmarks put behind the Q-Former, derived from these sizes:
     * width = the Q-Former's hidden size, half its layers (at least 1), the same heads,
     * feed-forward width and vocabulary, OPT's special tokens (pad 1, BOS = EOS 2) and dropout 0.1.
     *
     * @param positions the longest sequence it must read (soft prompt + text + generated tokens)
     */
    public OptConfig opt(int positions) {
        return new OptConfig(vocab, hidden, intermediate, Math.max(1, layers / 2), heads, positions, 1, 2, 2,
                1e-5, 0.1, true);
    }

    /**
     * The frozen T5 that stage-2 benchmarks put behind the Q-Former with {@code --language t5}, matched
     * in size to {@link #opt} as study 11 matches the two families: the OPT's width, heads, feed-forward
     * width and vocabulary, and one encoder plus one decoder block for every three OPT layers (at least
     * one each). At a feed-forward width of 4D an OPT layer holds 12 D^2 weights and a T5 block pair 36
     * D^2 (the encoder block 4 D^2 + 3 D F, the gated feed-forward having three matrices; the decoder
     * block 8 D^2 + 3 D F with its cross-attention). Heads of width hidden / heads, T5's 32
     * relative-position buckets up to distance 128, dropout 0.1 as the OPT's, its own LM head (FlanT5's
     * layout), pad 0 (also the decoder's start) and EOS 1. T5 has no position limit, so unlike
     * {@link #opt} it takes no length.
     */
    public T5Config t5() {
        int blocks = Math.max(1, Math.round(Math.max(1, layers / 2) / 3f));
        return new T5Config(vocab, hidden, hidden / heads, intermediate, blocks, blocks, heads, 32, 128, 1e-6, 0.1,
                0, 1, false);
    }

    /**
     * The frozen image encoder that the feature benchmark runs, derived from these sizes: a ViT of
     * width {@code visionWidth} with the Q-Former's depth, EVA's 14-pixel patches on a square grid
     * of {@code floor(sqrt(patches - 1))^2} patches (plus the class token: 65 and 257 come out
     * exact), heads = the largest divisor of the width up to the Q-Former's heads, an MLP 4x wide,
     * and BLIP-2's features from the second-to-last block.
     */
    public VisionConfig vision() {
        int grid = Math.max(1, (int) Math.floor(Math.sqrt(patches - 1)));
        int visionHeads = heads;
        while (visionWidth % visionHeads != 0) {
            visionHeads--;
        }
        return new VisionConfig(14 * grid, 14, 3, visionWidth, Math.max(2, layers), visionHeads, 4 * visionWidth,
                1e-6, -2);
    }

    /** A named size: bench-small, bench-mid or bench-base. */
    public static BenchConfig named(String name) {
        switch (name) {
            case "bench-small":
                return small(fixtureConfig());
            case "bench-mid":
                return new BenchConfig(name, "built-in", 256, 6, 8, 1024, 32, 2, 384, 65, 32, 1000, 128, 16, 5, 2);
            case "bench-base":
                return new BenchConfig(name, "built-in", 768, 12, 12, 3072, 32, 2, 1408, 257, 32, 30523, 256, 8, 3, 1);
            default:
                throw new IllegalArgumentException("unknown bench config '" + name + "': choose from " + NAMES);
        }
    }

    /** bench-small from the fixture's config.json (its keys: hidden, layers, ...), or the built-in copy. */
    static BenchConfig small(Path fixtureConfig) {
        if (fixtureConfig != null && Files.isRegularFile(fixtureConfig)) {
            try {
                JsonNode j = new ObjectMapper().readTree(fixtureConfig.toFile());
                return new BenchConfig("bench-small", "fixture:" + fixtureConfig.toAbsolutePath().normalize(),
                        j.get("hidden").asInt(), j.get("layers").asInt(), j.get("heads").asInt(),
                        j.get("intermediate").asInt(), j.get("queries").asInt(),
                        j.get("cross_attention_freq").asInt(), j.get("vision_width").asInt(),
                        j.get("patches").asInt(), j.get("text_len").asInt(), j.get("vocab").asInt(),
                        j.get("embed_dim").asInt(), j.get("batch").asInt(), 20, 5);
            } catch (IOException | NullPointerException e) {
                throw new IllegalArgumentException("cannot read the bench-small sizes from " + fixtureConfig
                        + " (" + e.getMessage() + "): fix or remove the file, or pass -Dfixtures.dir=...", e);
            }
        }
        return new BenchConfig("bench-small", "built-in", 64, 4, 4, 128, 8, 2, 48, 10, 12, 100, 32, 4, 20, 5);
    }

    /**
     * The fixture's config.json: under {@code -Dfixtures.dir}, else {@code ../shared/fixtures}
     * beside the working directory or beside the repository this jar was built in; null if none.
     */
    static Path fixtureConfig() {
        List<Path> roots = new ArrayList<>();
        String prop = System.getProperty("fixtures.dir");
        if (prop != null) {
            roots.add(Path.of(prop));
        }
        roots.add(Path.of("").toAbsolutePath().resolve("../shared/fixtures"));
        try {
            Path jar = Path.of(BenchConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar; p != null; p = p.getParent()) {
                if (Files.exists(p.resolve(".ci"))) {
                    roots.add(p.resolve("../shared/fixtures"));
                    break;
                }
            }
        } catch (Exception ignored) {
            // no code source (e.g. a notebook): the other places still count
        }
        for (Path r : roots) {
            Path c = r.resolve("lavis-qformer-small/config.json");
            if (Files.isRegularFile(c)) {
                return c;
            }
        }
        return null;
    }

    /** The sizes as printed in every measurement. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", name);
        d.put("source", source);
        d.put("hidden", hidden);
        d.put("layers", layers);
        d.put("heads", heads);
        d.put("intermediate", intermediate);
        d.put("queries", queries);
        d.put("cross_freq", crossFreq);
        d.put("vision_width", visionWidth);
        d.put("patches", patches);
        d.put("text_len", textLength);
        d.put("vocab", vocab);
        d.put("embed", embed);
        d.put("batch", batch);
        d.put("warmup", warmup);
        d.put("language", language.name().toLowerCase(java.util.Locale.ROOT));
        return d;
    }

    /** A copy with some sizes replaced (null = keep): the command line's overrides. */
    public BenchConfig with(Map<String, Integer> overrides) {
        if (overrides.isEmpty()) {
            return this;
        }
        Map<String, Integer> o = overrides;
        return new BenchConfig(name, source + "+overrides",
                o.getOrDefault("hidden", hidden), o.getOrDefault("layers", layers),
                o.getOrDefault("heads", heads), o.getOrDefault("intermediate", intermediate),
                o.getOrDefault("queries", queries), o.getOrDefault("cross-freq", crossFreq),
                o.getOrDefault("vision-width", visionWidth), o.getOrDefault("patches", patches),
                o.getOrDefault("text-len", textLength), o.getOrDefault("vocab", vocab),
                o.getOrDefault("embed", embed), o.getOrDefault("batch", batch),
                o.getOrDefault("steps", steps), o.getOrDefault("warmup", warmup), language);
    }

    /** The family named by {@code --language}: {@code opt} or {@code t5}, in any case. */
    public static LanguageFamily language(String name) {
        for (LanguageFamily f : LanguageFamily.values()) {
            if (f.name().equalsIgnoreCase(name.strip())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown --language '" + name + "': choose opt or t5");
    }

    /** The names of the size options, as on the command line. */
    public static final List<String> OPTIONS = List.of("hidden", "layers", "heads", "intermediate", "queries",
            "cross-freq", "vision-width", "patches", "text-len", "vocab", "embed", "batch", "steps", "warmup");

    /** This config with {@code name} replaced. */
    public BenchConfig withName(String name) {
        return toBuilder().name(name).build();
    }

    /** This config with {@code source} replaced. */
    public BenchConfig withSource(String source) {
        return toBuilder().source(source).build();
    }

    /** This config with {@code hidden} replaced. */
    public BenchConfig withHidden(int hidden) {
        return toBuilder().hidden(hidden).build();
    }

    /** This config with {@code layers} replaced. */
    public BenchConfig withLayers(int layers) {
        return toBuilder().layers(layers).build();
    }

    /** This config with {@code heads} replaced. */
    public BenchConfig withHeads(int heads) {
        return toBuilder().heads(heads).build();
    }

    /** This config with {@code intermediate} replaced. */
    public BenchConfig withIntermediate(int intermediate) {
        return toBuilder().intermediate(intermediate).build();
    }

    /** This config with {@code queries} replaced. */
    public BenchConfig withQueries(int queries) {
        return toBuilder().queries(queries).build();
    }

    /** This config with {@code crossFreq} replaced. */
    public BenchConfig withCrossFreq(int crossFreq) {
        return toBuilder().crossFreq(crossFreq).build();
    }

    /** This config with {@code visionWidth} replaced. */
    public BenchConfig withVisionWidth(int visionWidth) {
        return toBuilder().visionWidth(visionWidth).build();
    }

    /** This config with {@code patches} replaced. */
    public BenchConfig withPatches(int patches) {
        return toBuilder().patches(patches).build();
    }

    /** This config with {@code textLength} replaced. */
    public BenchConfig withTextLength(int textLength) {
        return toBuilder().textLength(textLength).build();
    }

    /** This config with {@code vocab} replaced. */
    public BenchConfig withVocab(int vocab) {
        return toBuilder().vocab(vocab).build();
    }

    /** This config with {@code embed} replaced. */
    public BenchConfig withEmbed(int embed) {
        return toBuilder().embed(embed).build();
    }

    /** This config with {@code batch} replaced. */
    public BenchConfig withBatch(int batch) {
        return toBuilder().batch(batch).build();
    }

    /** This config with {@code steps} replaced. */
    public BenchConfig withSteps(int steps) {
        return toBuilder().steps(steps).build();
    }

    /** This config with {@code warmup} replaced. */
    public BenchConfig withWarmup(int warmup) {
        return toBuilder().warmup(warmup).build();
    }

    /** This config with {@code language} replaced. */
    public BenchConfig withLanguage(LanguageFamily language) {
        return toBuilder().language(language).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link BenchConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private String name;
        private String source;
        private int hidden;
        private int layers;
        private int heads;
        private int intermediate;
        private int queries;
        private int crossFreq;
        private int visionWidth;
        private int patches;
        private int textLength;
        private int vocab;
        private int embed;
        private int batch;
        private int steps;
        private int warmup;
        private LanguageFamily language;

        private Builder(BenchConfig c) {
            this.name = c.name();
            this.source = c.source();
            this.hidden = c.hidden();
            this.layers = c.layers();
            this.heads = c.heads();
            this.intermediate = c.intermediate();
            this.queries = c.queries();
            this.crossFreq = c.crossFreq();
            this.visionWidth = c.visionWidth();
            this.patches = c.patches();
            this.textLength = c.textLength();
            this.vocab = c.vocab();
            this.embed = c.embed();
            this.batch = c.batch();
            this.steps = c.steps();
            this.warmup = c.warmup();
            this.language = c.language();
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder source(String source) {
            this.source = source;
            return this;
        }

        public Builder hidden(int hidden) {
            this.hidden = hidden;
            return this;
        }

        public Builder layers(int layers) {
            this.layers = layers;
            return this;
        }

        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        public Builder intermediate(int intermediate) {
            this.intermediate = intermediate;
            return this;
        }

        public Builder queries(int queries) {
            this.queries = queries;
            return this;
        }

        public Builder crossFreq(int crossFreq) {
            this.crossFreq = crossFreq;
            return this;
        }

        public Builder visionWidth(int visionWidth) {
            this.visionWidth = visionWidth;
            return this;
        }

        public Builder patches(int patches) {
            this.patches = patches;
            return this;
        }

        public Builder textLength(int textLength) {
            this.textLength = textLength;
            return this;
        }

        public Builder vocab(int vocab) {
            this.vocab = vocab;
            return this;
        }

        public Builder embed(int embed) {
            this.embed = embed;
            return this;
        }

        public Builder batch(int batch) {
            this.batch = batch;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder warmup(int warmup) {
            this.warmup = warmup;
            return this;
        }

        public Builder language(LanguageFamily language) {
            this.language = language;
            return this;
        }

        public BenchConfig build() {
            return new BenchConfig(name, source, hidden, layers, heads, intermediate, queries, crossFreq, visionWidth, patches, textLength, vocab, embed, batch, steps, warmup, language);
        }
    }
}
