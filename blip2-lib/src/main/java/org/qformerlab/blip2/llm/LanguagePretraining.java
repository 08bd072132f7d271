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
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.objectives.CrossEntropy;
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
 * The model is unfrozen for this and comes back frozen, in the caller's manager.
 */
public final class LanguagePretraining {

    private static final double MIN_LR_RATIO = 0.1;

    private LanguagePretraining() {}

    /** The pretrained model and the loss of every step. */
    public record Result(OptModel model, float[] losses, double seconds) {

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
        OptModel model = OptModel.create(config.opt(tokenizer.vocabSize(), WordTokenizer.PAD_ID, WordTokenizer.EOS_ID),
                manager);
        model.freezeParameters(false);
        List<Parameter> trainable = List.copyOf(model.namedParameters().values());
        LearningRateSchedule schedule =
                new LearningRateSchedule(config.learningRate(), config.warmupSteps(), config.steps(), MIN_LR_RATIO);
        SplittableRandom offsets = new SplittableRandom(config.seed() ^ 0x4C4DL); // "LM"
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
                        NDArray loss = nextTokenLoss(model, batch);
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
