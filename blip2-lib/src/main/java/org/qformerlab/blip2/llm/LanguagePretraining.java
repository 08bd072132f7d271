package org.qformerlab.blip2.llm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.nn.CrossEntropy;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.train.AdamW;
import org.qformerlab.blip2.train.GradientClipping;
import org.qformerlab.blip2.train.LearningRateSchedule;
import org.qformerlab.blip2.train.TrainingDivergedException;

/**
 * Pretrains the embedded default's language model on text alone, as the OPTs were pretrained
 * before BLIP-2 froze them: next-token prediction over a stream of documents.
 *
 * <ol>
 *   <li>the documents ({@link org.qformerlab.blip2.data.LanguageCorpus}: a few sentences about a
 *       scene, then questions those sentences answer) become one token stream
 *       {@code </s> text </s> text ...} ({@code </s>} is OPT's begin- and end-of-text token), the
 *       documents in a shuffled order, each document's texts in its own order. A question then
 *       follows the sentences that answer it, so the model learns to read what came before its
 *       {@code </s>} instead of learning that earlier text never matters. That is the habit stage 2
 *       relies on: the soft prompt stands where those sentences stood. (Large LMs learn it from
 *       long documents; ours has only short ones.)
 *   <li>each step takes {@code batchSize} windows of {@code maxPositions} tokens at random offsets,
 *       so every position of the table {@code embed_positions} is trained (in stage 2 the text sits
 *       behind the soft prompt, at positions the texts alone would never reach);
 *   <li>causal LM cross-entropy on every position, backward, clip to norm 1, AdamW at the warm-up +
 *       cosine rate, all in a scope closed after the step.
 * </ol>
 *
 * A T5 ({@code family = T5}) learns the same text as a prefix LM, the encoder-decoder form of the
 * same task: each step draws one split k, uniform in [0, maxPositions / 2]; the encoder reads the
 * first k tokens of every window followed by {@code </s>} (as T5 reads a prompt), and the decoder,
 * from its start token, predicts the other maxPositions - k. With k = 0 the encoder reads only
 * {@code </s>} and the decoder writes text from nothing, as it writes a caption in stage 2 behind a
 * soft prompt; with larger k it writes what follows the text it was shown, as it answers a question
 * in stage 2 ({@link #prefixLoss}).
 *
 * The model is unfrozen for this and comes back frozen, in the caller's manager.
 */
public final class LanguagePretraining {

    private static final double MIN_LR_RATIO = 0.1;

    private LanguagePretraining() {}

    /** The pretrained model ({@link OptModel} or {@link T5Model}, as the family) and the loss of every step. */
    public record Result(Module language, float[] losses, double seconds) {

        /** The pretrained OPT; an error for a T5. */
        public OptModel model() {
            return LanguageModelCache.opt(language);
        }

        /** Mean loss of the last {@code n} steps. */
        public double lastLoss(int n) {
            double s = 0;
            int from = Math.max(0, losses.length - n);
            for (int i = from; i < losses.length; i++) {
                s += losses[i];
            }
            return s / Math.max(1, losses.length - from);
        }

        /** Mean loss of the first {@code n} steps. */
        public double firstLoss(int n) {
            double s = 0;
            int to = Math.min(n, losses.length);
            for (int i = 0; i < to; i++) {
                s += losses[i];
            }
            return s / Math.max(1, to);
        }
    }

    /**
     * @param documents the training text, one list of texts per document
     * @param manager where the returned (frozen) model lives
     * @param log progress lines, or null
     */
    public static Result run(LanguagePretrainConfig config, WordTokenizer tokenizer, List<List<String>> documents,
                             NDManager manager, PrintStream log) {
        int[] stream = stream(tokenizer, documents, new SplittableRandom(config.seed()));
        int window = config.maxPositions();
        if (stream.length <= window) {
            throw new IllegalArgumentException("the language model's training text has " + stream.length
                    + " tokens, fewer than one window of maxPositions=" + window + ": add text or lower maxPositions");
        }
        long t0 = System.nanoTime();
        Seeds.set(config.seed());
        boolean t5 = config.family() == LanguageFamily.T5;
        Module model = t5
                ? T5Model.create(config.t5(tokenizer.vocabSize(), WordTokenizer.PAD_ID, WordTokenizer.EOS_ID), manager)
                : OptModel.create(config.opt(tokenizer.vocabSize(), WordTokenizer.PAD_ID, WordTokenizer.EOS_ID), manager);
        model.freezeParameters(false);
        List<Parameter> trainable = List.copyOf(model.namedParameters().values());
        LearningRateSchedule schedule =
                new LearningRateSchedule(config.learningRate(), config.warmupSteps(), config.steps(), MIN_LR_RATIO);
        SplittableRandom offsets = new SplittableRandom(config.seed() ^ 0x4C4DL); // "LM"
        SplittableRandom splits = new SplittableRandom(config.seed() ^ 0x5435L); // "T5": the prefix lengths
        float[] losses = new float[config.steps()];
        try (AdamW optimizer = new AdamW(model.namedParameters(), 0.9, 0.98, 1e-8, config.weightDecay())) {
            for (int step = 0; step < config.steps(); step++) {
                long[] ids = new long[config.batchSize() * window];
                for (int r = 0; r < config.batchSize(); r++) {
                    int start = offsets.nextInt(stream.length - window + 1);
                    for (int i = 0; i < window; i++) {
                        ids[r * window + i] = stream[start + i];
                    }
                }
                try (NDManager scope = manager.newSubManager()) {
                    NDArray batch = scope.create(ids, new Shape(config.batchSize(), window));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = t5 ? prefixLoss((T5Model) model, batch, splits.nextInt(window / 2 + 1))
                                : nextTokenLoss((OptModel) model, batch);
                        losses[step] = loss.getFloat();
                        if (!Float.isFinite(losses[step])) {
                            throw new TrainingDivergedException(step + 1, "language-model loss", losses[step], null);
                        }
                        gc.backward(loss);
                    }
                    GradientClipping.clip(trainable, 1.0, scope);
                    optimizer.step(schedule.at(step));
                }
                if (log != null && ((step + 1) % config.logEvery() == 0 || step + 1 == config.steps())) {
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    log.printf("language pretraining step %d/%d | next-token loss %.4f | lr %.1e | %.1f steps/s%n",
                            step + 1, config.steps(), losses[step], schedule.at(step), (step + 1) / seconds);
                }
            }
        }
        model.freezeParameters(true);
        return new Result(model, losses, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Mean next-token cross-entropy of {@code ids} [B, S] (no padding): position i predicts token
     * i + 1.
     */
    public static NDArray nextTokenLoss(OptModel model, NDArray ids) {
        long b = ids.getShape().get(0);
        long s = ids.getShape().get(1);
        NDArray mask = ids.onesLike();
        NDArray logits = model.forward(model.embedTokens(ids), mask, null, true).logits();
        long v = logits.getShape().get(2);
        NDArray predictions = logits.get(new NDIndex(":, :-1")).reshape(b * (s - 1), v);
        NDArray targets = ids.get(new NDIndex(":, 1:")).reshape(b * (s - 1));
        return CrossEntropy.loss(predictions, targets, 0.0, null);
    }

    /**
     * The T5's prefix-LM loss of {@code ids} [B, S] (no padding): the encoder reads
     * {@code [ids[:, :k] ; </s>]}, the decoder reads {@code [start ; ids[:, k:S-1]]} and predicts
     * {@code ids[:, k:]}; the mean cross-entropy over those S - k tokens.
     */
    public static NDArray prefixLoss(T5Model model, NDArray ids, int k) {
        long b = ids.getShape().get(0);
        long s = ids.getShape().get(1);
        if (k < 0 || k >= s) {
            throw new IllegalArgumentException("prefix length k=" + k + " must be in [0, " + s + ")");
        }
        NDManager scope = ids.getManager();
        NDArray eos = scope.full(new Shape(b, 1), model.config().eosTokenId(), ids.getDataType());
        NDArray encoderIds = ids.get(new NDIndex(":, :{}", k)).concat(eos, 1);
        NDArray encoderMask = encoderIds.onesLike();
        NDArray encoded = model.encode(model.embedTokens(encoderIds), encoderMask, true);
        NDArray target = ids.get(new NDIndex(":, {}:", k));
        NDArray start = scope.full(new Shape(b, 1), model.config().decoderStartTokenId(), ids.getDataType());
        NDArray decoderIds = start.concat(target.get(new NDIndex(":, :{}", s - k - 1)), 1);
        CausalLm decoder = model.decoderFor(encoded, encoderMask);
        NDArray logits = decoder.forward(decoder.embedTokens(decoderIds), target.onesLike(), null, true).logits();
        return CrossEntropy.loss(logits.reshape(b * (s - k), model.config().vocabSize()), target.reshape(b * (s - k)),
                0.0, null);
    }

    /**
     * The T5's loss of each text on its own, as it writes a caption in stage 2: the encoder reads
     * {@code </s>} alone, the decoder predicts {@code words </s>}; without gradients.
     */
    public static double textLoss(T5Model model, WordTokenizer tokenizer, List<String> texts, NDManager manager) {
        double sum = 0;
        long count = 0;
        try (GradMode ignored = GradMode.off()) {
            for (String text : texts) {
                int[] ids = document(tokenizer, text);
                try (NDManager scope = manager.newSubManager()) {
                    long[] row = new long[ids.length - 1]; // the start marker is the encoder's </s>
                    for (int i = 1; i < ids.length; i++) {
                        row[i - 1] = ids[i];
                    }
                    // prefix k = 0 of [</s> words </s>] would predict the start marker too; drop it
                    NDArray loss = prefixLoss(model, scope.create(row, new Shape(1, row.length)), 0);
                    sum += loss.getFloat() * row.length;
                    count += row.length;
                }
            }
        }
        return sum / Math.max(1, count);
    }

    /**
     * Mean next-token loss of each text on its own ({@code </s> text </s>}, every token after the
     * first predicted), without gradients: how well the model knows held-out text.
     */
    public static double textLoss(OptModel model, WordTokenizer tokenizer, List<String> texts, NDManager manager) {
        double sum = 0;
        long count = 0;
        try (GradMode ignored = GradMode.off()) {
            for (String text : texts) {
                int[] ids = document(tokenizer, text);
                try (NDManager scope = manager.newSubManager()) {
                    long[] row = new long[ids.length];
                    for (int i = 0; i < ids.length; i++) {
                        row[i] = ids[i];
                    }
                    NDArray loss = nextTokenLoss(model, scope.create(row, new Shape(1, ids.length)));
                    sum += loss.getFloat() * (ids.length - 1);
                    count += ids.length - 1;
                }
            }
        }
        return sum / Math.max(1, count);
    }

    /** {@code </s> words </s>}: a text as the language model reads it. */
    public static int[] document(WordTokenizer tokenizer, String text) {
        List<String> words = WordTokenizer.tokenize(text);
        int[] ids = new int[words.size() + 2];
        ids[0] = WordTokenizer.EOS_ID;
        for (int i = 0; i < words.size(); i++) {
            ids[i + 1] = tokenizer.id(words.get(i));
        }
        ids[ids.length - 1] = WordTokenizer.EOS_ID;
        return ids;
    }

    /**
     * The documents in a seeded random order, each document's texts in order, as one stream
     * {@code </s> a1 </s> a2 </s> b1 ... </s>}.
     */
    static int[] stream(WordTokenizer tokenizer, List<List<String>> documents, SplittableRandom rng) {
        List<Integer> ids = new ArrayList<>();
        for (List<String> document : shuffled(documents, rng)) {
            for (String text : document) {
                ids.add(WordTokenizer.EOS_ID);
                for (String w : WordTokenizer.tokenize(text)) {
                    ids.add(tokenizer.id(w));
                }
            }
        }
        ids.add(WordTokenizer.EOS_ID);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static <T> List<T> shuffled(List<T> items, SplittableRandom rng) {
        List<T> order = new ArrayList<>(items);
        for (int i = order.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = order.get(i);
            order.set(i, order.get(j));
            order.set(j, t);
        }
        return order;
    }
}
