package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Scopes;

/**
 * Decodes text from a {@link CausalLm} that starts from a prefix of embeddings (in BLIP-2: the
 * soft visual prompt, then the embedded text prompt): greedy, nucleus sampling or beam search,
 * with minimum/maximum length, repetition penalty and EOS stop ({@link GenerationConfig}).
 *
 * <p>With the KV cache the prefix is run once and each new token costs one position; without it
 * the whole sequence is recomputed each step (same result, for checking). Every call runs without
 * gradient recording in one NDManager scope of its own: nothing it computes outlives the call but
 * the returned Java arrays, and within the call each step frees the previous step's arrays, so memory
 * does not grow with the number of tokens beyond the cache itself. The per-token rules run on the
 * host, one row of logits at a time.
 */
public final class Generator {

    private Generator() {}

    /**
     * @param prefixEmbeds [B, S, D]
     * @param prefixMask [B, S] (1 = real, 0 = padding) or null for no padding
     */
    public static Generation generate(CausalLm lm, NDArray prefixEmbeds, NDArray prefixMask, GenerationConfig config) {
        if (prefixEmbeds.getShape().dimension() != 3 || prefixEmbeds.getShape().get(2) != lm.embeddingWidth()) {
            throw new IllegalArgumentException("the generation prefix must be [batch, positions, " + lm.embeddingWidth()
                    + "] embeddings; got " + prefixEmbeds.getShape());
        }
        try (GradMode ignored = GradMode.off(); NDManager scope = prefixEmbeds.getManager().newSubManager()) {
            Scopes.enter(scope, prefixEmbeds, prefixMask);
            Shape s = prefixEmbeds.getShape();
            NDArray mask = prefixMask != null ? prefixMask.toType(DataType.INT64, false)
                    : scope.ones(new Shape(s.get(0), s.get(1)), DataType.INT64);
            return config.numBeams() == 1
                    ? decodeRows(new Session(lm, scope, config.useCache()), prefixEmbeds, mask, config)
                    : beamSearch(lm, scope, prefixEmbeds, mask, config);
        }
    }

    /** Greedy or sampled decoding, each row on its own. */
    private static Generation decodeRows(Session session, NDArray prefix, NDArray mask, GenerationConfig cfg) {
        int b = (int) prefix.getShape().get(0);
        float[][] logits = session.start(prefix, mask);
        List<List<Long>> tokens = new ArrayList<>();
        List<List<float[]>> steps = new ArrayList<>();
        boolean[] done = new boolean[b];
        for (int r = 0; r < b; r++) {
            tokens.add(new ArrayList<>());
            steps.add(new ArrayList<>());
        }
        SplittableRandom rng = new SplittableRandom(cfg.seed()); // well mixed even for seeds 0, 1, 2, ...
        for (int t = 0; t < cfg.maxNewTokens(); t++) {
            long[] next = new long[b];
            int running = 0;
            for (int r = 0; r < b; r++) {
                if (done[r]) {
                    next[r] = cfg.padTokenId();
                    continue;
                }
                if (cfg.outputStepLogits()) {
                    steps.get(r).add(logits[r].clone());
                }
                float[] l = logits[r];
                LogitsRules.penalizeRepeats(l, tokens.get(r), cfg.repetitionPenalty());
                if (t < cfg.minNewTokens()) {
                    LogitsRules.forbid(l, cfg.eosTokenId());
                }
                int token = cfg.doSample()
                        ? LogitsRules.sampleNucleus(l, cfg.temperature(), cfg.topP(), rng)
                        : LogitsRules.argmax(l);
                next[r] = token;
                tokens.get(r).add((long) token);
                done[r] = token == cfg.eosTokenId();
                running += done[r] ? 0 : 1;
            }
            if (running == 0 || t == cfg.maxNewTokens() - 1) {
                break;
            }
            logits = session.next(next);
        }
        long[][] out = new long[b][];
        float[][][] stepLogits = cfg.outputStepLogits() ? new float[b][][] : null;
        for (int r = 0; r < b; r++) {
            out[r] = tokens.get(r).stream().mapToLong(Long::longValue).toArray();
            if (stepLogits != null) {
                stepLogits[r] = steps.get(r).toArray(new float[0][]);
            }
        }
        return new Generation(out, stepLogits);
    }

    /** A finished beam: its tokens and {@code sum log p / length^lengthPenalty}. */
    private record Hypothesis(long[] tokens, double score) {}

    /** A candidate continuation: beam {@code beam} (row within its item) extended by {@code token}. */
    private record Candidate(double logProb, int beam, int token) {}

    /**
     * Beam search: each item keeps the k most likely partial texts; a text that emits EOS among the
     * k best candidates is finished and ranked by its length-penalised score; an item is done when k
     * texts are finished and no running beam can beat the worst of them.
     */
    private static Generation beamSearch(CausalLm lm, NDManager scope, NDArray prefix, NDArray mask, GenerationConfig cfg) {
        int b = (int) prefix.getShape().get(0);
        int k = cfg.numBeams();
        long[] expand = new long[b * k];
        for (int i = 0; i < expand.length; i++) {
            expand[i] = i / k;
        }
        NDArray index = scope.create(expand);
        Session session = new Session(lm.rows(index), scope, cfg.useCache());
        float[][] logits = session.start(prefix.get(index), mask.get(index));

        double[] beamScores = new double[b * k];
        for (int i = 0; i < beamScores.length; i++) {
            beamScores[i] = i % k == 0 ? 0 : Double.NEGATIVE_INFINITY; // all beams start equal: expand one
        }
        List<List<Long>> beams = new ArrayList<>();
        for (int i = 0; i < b * k; i++) {
            beams.add(new ArrayList<>());
        }
        List<List<Hypothesis>> finished = new ArrayList<>();
        boolean[] done = new boolean[b];
        for (int i = 0; i < b; i++) {
            finished.add(new ArrayList<>());
        }
        for (int t = 0; t < cfg.maxNewTokens(); t++) {
            int length = t + 1;
            double norm = Math.pow(length, cfg.lengthPenalty());
            int[] source = new int[b * k];
            long[] next = new long[b * k];
            double[] nextScores = new double[b * k];
            for (int item = 0; item < b; item++) {
                int base = item * k;
                if (done[item]) {
                    for (int j = 0; j < k; j++) {
                        source[base + j] = base + j;
                        next[base + j] = cfg.padTokenId();
                        nextScores[base + j] = beamScores[base + j];
                    }
                    continue;
                }
                List<Candidate> best = topCandidates(logits, beams, beamScores, base, k, t, cfg);
                int filled = 0;
                for (int rank = 0; rank < best.size() && filled < k; rank++) {
                    Candidate c = best.get(rank);
                    if (c.token() == cfg.eosTokenId()) {
                        if (rank < k) {
                            long[] text = append(beams.get(base + c.beam()), c.token());
                            addHypothesis(finished.get(item), new Hypothesis(text, c.logProb() / norm), k);
                        }
                        continue;
                    }
                    source[base + filled] = base + c.beam();
                    next[base + filled] = c.token();
                    nextScores[base + filled] = c.logProb();
                    filled++;
                }
                List<Hypothesis> hyps = finished.get(item);
                if (hyps.size() >= k) {
                    double worst = hyps.stream().mapToDouble(Hypothesis::score).min().orElseThrow();
                    done[item] = nextScores[base] / norm <= worst;
                }
            }
            List<List<Long>> moved = new ArrayList<>(b * k);
            for (int i = 0; i < b * k; i++) {
                List<Long> h = new ArrayList<>(beams.get(source[i]));
                h.add(next[i]);
                moved.add(h);
            }
            beams = moved;
            beamScores = nextScores;
            boolean allDone = true;
            for (boolean d : done) {
                allDone &= d;
            }
            if (allDone) {
                break;
            }
            if (t == cfg.maxNewTokens() - 1) {
                for (int item = 0; item < b; item++) {
                    if (!done[item]) {
                        for (int j = 0; j < k; j++) {
                            long[] text = beams.get(item * k + j).stream().mapToLong(Long::longValue).toArray();
                            addHypothesis(finished.get(item), new Hypothesis(text, beamScores[item * k + j] / norm), k);
                        }
                    }
                }
                break;
            }
            session.select(source);
            logits = session.next(next);
        }
        long[][] out = new long[b][];
        for (int item = 0; item < b; item++) {
            out[item] = finished.get(item).stream().max(Comparator.comparingDouble(Hypothesis::score))
                    .orElseThrow().tokens();
        }
        return new Generation(out, null);
    }

    /** The 2k best (beam, token) continuations of one item, best first. */
    private static List<Candidate> topCandidates(
            float[][] logits, List<List<Long>> beams, double[] beamScores, int base, int k, int step, GenerationConfig cfg) {
        PriorityQueue<Candidate> heap = new PriorityQueue<>(Comparator.comparingDouble(Candidate::logProb));
        for (int j = 0; j < k; j++) {
            if (beamScores[base + j] == Double.NEGATIVE_INFINITY) {
                continue;
            }
            float[] l = logits[base + j];
            LogitsRules.penalizeRepeats(l, beams.get(base + j), cfg.repetitionPenalty());
            if (step < cfg.minNewTokens()) {
                LogitsRules.forbid(l, cfg.eosTokenId());
            }
            double[] logp = LogitsRules.logSoftmax(l);
            for (int v = 0; v < logp.length; v++) {
                double score = beamScores[base + j] + logp[v];
                if (heap.size() < 2 * k) {
                    heap.add(new Candidate(score, j, v));
                } else if (score > heap.peek().logProb()) {
                    heap.poll();
                    heap.add(new Candidate(score, j, v));
                }
            }
        }
        List<Candidate> best = new ArrayList<>(heap);
        best.sort(Comparator.comparingDouble(Candidate::logProb).reversed()
                .thenComparingInt(Candidate::beam).thenComparingInt(Candidate::token));
        return best;
    }

    private static void addHypothesis(List<Hypothesis> hyps, Hypothesis h, int k) {
        hyps.add(h);
        if (hyps.size() > k) {
            hyps.remove(hyps.stream().min(Comparator.comparingDouble(Hypothesis::score)).orElseThrow());
        }
    }

    private static long[] append(List<Long> tokens, long token) {
        long[] out = new long[tokens.size() + 1];
        for (int i = 0; i < tokens.size(); i++) {
            out[i] = tokens.get(i);
        }
        out[tokens.size()] = token;
        return out;
    }

    /**
     * The model's side of decoding: the sequence so far (its cache, or its embeddings when
     * recomputing) and the attention mask, extended one token per row at a time.
     *
     * <p>Memory stays flat over the steps: each step computes in a manager of its own ({@code live},
     * which the step's inputs belong to, so everything derived from them does too); only the state
     * the next step needs (cache, mask, embeddings) moves on to a fresh manager, and the step's
     * manager with every intermediate array and the previous cache is closed.
     */
    private static final class Session {
        private final CausalLm lm;
        private final NDManager scope;
        private final boolean useCache;
        private NDManager live;
        private NDArray embeds; // everything so far (recompute mode only)
        private NDArray mask;
        private KvCache cache;

        Session(CausalLm lm, NDManager scope, boolean useCache) {
            this.lm = lm;
            this.scope = scope;
            this.useCache = useCache;
            this.live = scope.newSubManager();
        }

        float[][] start(NDArray prefix, NDArray prefixMask) {
            mask = prefixMask.toType(DataType.INT64, true); // our own copies: the caller's arrays never move
            embeds = useCache ? null : prefix.duplicate();
            return run(useCache ? prefix : embeds, null);
        }

        /** Appends one token per row and returns the next logits [B][V]. */
        float[][] next(long[] tokens) {
            NDArray ids = live.create(tokens, new Shape(tokens.length, 1));
            NDArray embedded = lm.embedTokens(ids);
            mask = mask.concat(live.ones(new Shape(tokens.length, 1), DataType.INT64), 1);
            if (useCache) {
                return run(embedded, cache);
            }
            embeds = embeds.concat(embedded, 1);
            return run(embeds, null);
        }

        /** Keeps rows {@code rows} (row i of the new batch is old row rows[i]). */
        void select(int[] rows) {
            NDArray index = live.create(java.util.Arrays.stream(rows).asLongStream().toArray());
            mask = mask.get(index);
            if (useCache) {
                cache = cache.rows(index);
            } else {
                embeds = embeds.get(index);
            }
        }

        private float[][] run(NDArray input, KvCache past) {
            CausalLm.Output out = lm.forward(input, mask, past, false);
            cache = useCache ? out.cache() : null;
            NDArray last = out.logits().get(new NDIndex(":, -1, :"));
            int b = (int) last.getShape().get(0);
            int v = (int) last.getShape().get(1);
            float[] flat = last.toType(DataType.FLOAT32, false).toFloatArray();
            float[][] rows = new float[b][];
            for (int r = 0; r < b; r++) {
                rows[r] = java.util.Arrays.copyOfRange(flat, r * v, (r + 1) * v);
            }
            moveOn();
            return rows;
        }

        /** Moves the state to a fresh manager and frees everything else this step made. */
        private void moveOn() {
            NDManager next = scope.newSubManager();
            java.util.List<NDArray> state = new java.util.ArrayList<>();
            state.add(mask);
            if (embeds != null) {
                state.add(embeds);
            }
            if (cache != null) {
                for (java.util.List<org.qformerlab.blip2.nn.KeyValue> layers
                        : java.util.Arrays.asList(cache.self(), cache.cross())) {
                    if (layers != null) {
                        layers.forEach(kv -> {
                            state.add(kv.keys());
                            state.add(kv.values());
                        });
                    }
                }
            }
            // every state array was computed here (the mask and embeddings start as copies), so moving them is safe
            state.forEach(a -> a.attach(next));
            live.close();
            live = next;
        }
    }
}
