package org.qformerlab.blip2.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.nn.CrossEntropy;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.train.BatchSource;
import org.qformerlab.blip2.train.RunFolder;
import org.qformerlab.blip2.train.TrainConfig;
import org.qformerlab.blip2.train.Trainer;

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
 * The steps run through the {@link Trainer}: checkpoints, exact resume, the stop on a non-finite
 * loss or gradient and the metrics log come with it.
 *
 * A T5 ({@code family = T5}) learns the same text as a prefix LM, the encoder-decoder form of the
 * same task: each step draws one split k, uniform in [0, maxPositions - {@link #T5_DECODER_TOKENS}];
 * the encoder reads the first k tokens of every window followed by {@code </s>} (as T5 reads a
 * prompt), and the decoder, from its start token, predicts the next {@link #T5_DECODER_TOKENS}
 * (16: a caption's length; the rest of the window is not used). With k = 0 the encoder reads only
 * {@code </s>} and the decoder writes text from nothing, as it writes a caption in stage 2 behind a
 * soft prompt; with larger k it writes what follows the text it was shown, as it answers a question
 * in stage 2 ({@link #prefixLoss}). The decoder writes 16 tokens rather than the whole rest of the
 * window because only its first few depend on where the encoder's text stops; behind 32 to 64
 * tokens of its own context the decoder could lower its loss without ever learning to read that.
 *
 * <p>A T5's relative-position biases step at {@link #POSITION_BIAS_RATE_SCALE} times the
 * learning rate, and the T5 starts from T5's own initialisation ({@link T5Model#create}). Its
 * cross-attention carries no position, so a decoder that must continue the encoder's text finds
 * where that text ends only through what the encoder's self-attention wrote into each token, and
 * that attention singles out a neighbour among dozens of tokens only once a bias stands several
 * nats above the rest; Adam moves a weight by about the learning rate per step (3e-3). Measured on
 * 1+1-block T5s of width 64 (December 2026): asked for the last of 16 random words the encoder
 * read, the decoder stayed at chance after 300 steps with the biases at the plain rate and the
 * 0.02 initialisation, reached a loss of 0.46 with both changes, and 0.014 after 1000 steps with
 * the ten-times rate alone; on documents {@code x y x y}, asked for the word two before the end, it
 * named it 4 and 13 times in 126 at the plain rate and 126 and 126 at ten times (two seeds; T5's
 * initialisation and the 16-token decoder in both), and
 * 60 of 126 with another seed, so this probe is not yet a reliable test. The must-pass test asks
 * for the word after the last one ({@code T5LanguagePretrainingTest}): 126 of 126 at ten times,
 * 115 at the plain rate. On the embedded world's text a T5 of width 128 with 4 heads still could
 * not tell where its encoder's text ended (it wrote ": red" behind "Answer:"); with 8 heads of 16
 * it continues exactly, and with 2+2 blocks it reads the true captions nearly as the OPT does
 * (study 11).
 *
 * The model is unfrozen for this and comes back frozen, in the caller's manager.
 */
public final class LanguagePretraining {

    /**
     * A T5's relative-position biases step at this multiple of the learning rate (see the class
     * comment), as a parameter group of their own.
     */
    public static final double POSITION_BIAS_RATE_SCALE = 10;

    /** The most tokens a T5's decoder writes per window in pretraining (see the class comment). */
    public static final int T5_DECODER_TOKENS = 16;

    /** The parameters of a T5 that step at {@link #POSITION_BIAS_RATE_SCALE} times the rate. */
    static final String POSITION_BIAS = "relative_attention_bias.weight";

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

    /** A step's windows [batchSize, maxPositions] of the token stream, and (T5) its prefix length. */
    private record Batch(long[] ids, int prefix) {}

    /**
     * The trainer's recipe for {@code config}: AdamW (0.9, 0.98), the gradient norm clipped to 1, the
     * cosine ending at a tenth of the peak.
     */
    public static TrainConfig trainConfig(LanguagePretrainConfig config) {
        return TrainConfig.pretraining(config.steps(), config.batchSize(), config.learningRate(),
                config.warmupSteps(), config.weightDecay(), 0.98, config.seed(), config.logEvery());
    }

    /** Pretrains in a temporary run folder ({@link RunFolder#temporary()}). */
    public static Result run(LanguagePretrainConfig config, WordTokenizer tokenizer, List<List<String>> documents,
                             NDManager manager, PrintStream log) {
        return run(config, tokenizer, documents, RunFolder.temporary(), manager, log);
    }

    /**
     * @param documents the training text, one list of texts per document
     * @param run where the checkpoints and the metrics log go, and whether to continue from them
     * @param manager where the returned (frozen) model lives
     * @param log progress lines, or null
     */
    public static Result run(LanguagePretrainConfig config, WordTokenizer tokenizer, List<List<String>> documents,
                             RunFolder run, NDManager manager, PrintStream log) {
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
        BatchSource<Batch> batches = BatchSource.replaying(() -> {
            SplittableRandom offsets = new SplittableRandom(config.seed() ^ 0x4C4DL); // "LM"
            SplittableRandom splits = new SplittableRandom(config.seed() ^ 0x5435L); // "T5": the prefix lengths
            return () -> {
                long[] ids = new long[config.batchSize() * window];
                for (int r = 0; r < config.batchSize(); r++) {
                    int start = offsets.nextInt(stream.length - window + 1);
                    for (int i = 0; i < window; i++) {
                        ids[r * window + i] = stream[start + i];
                    }
                }
                return new Batch(ids, t5 ? splits.nextInt(window - decoderTokens(window) + 1) : 0);
            };
        });
        Trainer.StepFunction step = (scope, s) -> {
            Batch batch = batches.at(s);
            NDArray ids = scope.create(batch.ids(), new Shape(config.batchSize(), window));
            if (t5) { // the encoder reads the first k tokens, the decoder writes the next decoderTokens
                ids = ids.get(new NDIndex(":, :{}", batch.prefix() + decoderTokens(window)));
            }
            return Map.of("total", t5 ? prefixLoss((T5Model) model, ids, batch.prefix()) : nextTokenLoss((OptModel) model, ids));
        };
        ObjectNode pretraining = Configs.JSON.valueToTree(config);
        pretraining.remove("logEvery"); // it changes what is printed, not what is learned
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("pretraining", pretraining);
        recipe.put("vocabulary", tokenizer.vocabSize());
        recipe.put("text", List.of(stream.length, Arrays.hashCode(stream))); // the token stream: its length and hash
        Map<String, Double> rateScales = t5 ? Map.of(POSITION_BIAS, POSITION_BIAS_RATE_SCALE) : Map.of();
        if (t5) {
            recipe.put("learningRateScales", rateScales);
        }
        Trainer.Listener lines = log == null ? null : Trainer.console(log, config.logEvery(), r -> String.format(
                Locale.ROOT, "language pretraining step %d/%d | next-token loss %.4f | lr %.1e | %.1f steps/s",
                r.step(), r.totalSteps(), r.losses().get("total"), r.learningRate(), r.stepsPerSecond()));
        RunFolder.Trained trained = run.train(trainConfig(config), model, recipe, step, lines, rateScales);
        model.freezeParameters(true);
        return new Result(model, trained.series("total"), (System.nanoTime() - t0) / 1e9);
    }

    /** Tokens the T5's decoder writes per window of {@code window} tokens: 16, or window - 1 if shorter. */
    static int decoderTokens(int window) {
        return Math.min(T5_DECODER_TOKENS, window - 1);
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
     * Mean loss of each text on its own, per predicted token, without gradients: how well the model
     * knows held-out text. Every text is read as {@link #document} gives it, {@code </s> words </s>},
     * and every token after the first is predicted: an OPT predicts each from the tokens before it;
     * a T5 reads the first {@code </s>} alone in its encoder and its decoder writes
     * {@code words </s>}, as it writes a caption in stage 2.
     *
     * @param language an {@link OptModel} or a {@link T5Model}
     */
    public static double textLoss(Module language, WordTokenizer tokenizer, List<String> texts, NDManager manager) {
        if (!(language instanceof OptModel) && !(language instanceof T5Model)) {
            throw new IllegalArgumentException("textLoss reads an OptModel or a T5Model, not a "
                    + language.getClass().getSimpleName());
        }
        double sum = 0;
        long count = 0;
        try (GradMode ignored = GradMode.off()) {
            for (String text : texts) {
                int[] ids = document(tokenizer, text);
                int predicted = ids.length - 1;
                try (NDManager scope = manager.newSubManager()) {
                    NDArray loss = language instanceof T5Model t5
                            ? prefixLoss(t5, row(scope, ids, 1), 0) // prefix k = 0: the encoder reads </s> alone
                            : nextTokenLoss((OptModel) language, row(scope, ids, 0));
                    sum += loss.getFloat() * predicted;
                    count += predicted;
                }
            }
        }
        return sum / Math.max(1, count);
    }

    /** {@code ids[from:]} as a batch of one row [1, n - from]. */
    private static NDArray row(NDManager scope, int[] ids, int from) {
        long[] row = new long[ids.length - from];
        for (int i = from; i < ids.length; i++) {
            row[i - from] = ids[i];
        }
        return scope.create(row, new Shape(1, row.length));
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
