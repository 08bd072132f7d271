package org.qformerlab.blip2.objectives;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.nn.BatchShapes;
import org.qformerlab.blip2.nn.Scalars;
import org.qformerlab.blip2.nn.Scopes;
import org.qformerlab.blip2.qformer.AttentionMask;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.qformer.EncoderOutput;
import org.qformerlab.blip2.qformer.ImageContext;

/**
 * BLIP-2's stage-1 objective: {@code wItc * ITC + wItm * ITM + wItg * ITG} on one batch of
 * (frozen image features, text). Read top to bottom, one step is:
 *
 * <ol>
 *   <li>LayerNorm the image features and project them, once, to every cross-attention layer's
 *       keys and values;
 *   <li>run the queries alone (they cross-attend to the image) and the text alone (ITC's
 *       uni-modal mask), project both, compare: ITC;
 *   <li>draw hard negatives from those similarities, run 3B (image, text) pairs jointly: ITM;
 *   <li>let the text attend causally to the cached query keys/values, predict the next token: ITG.
 * </ol>
 *
 * A branch whose weight is 0 is not computed at all. Each branch runs under the mask the config
 * names ({@code objective.itcMask}, {@code itmMask}, {@code itgMask}). The shortcuts above are taken
 * whenever they compute the same function: two separate ITC passes whenever the ITC mask keeps
 * queries and text apart (each pass under its own block of the mask), the cached query pass for
 * ITG whenever ITG's queries see no text. Any other mask runs its branch as one joint pass over
 * [queries ; text] (the general path), so a custom mask costs that branch's joint pass and nothing more.
 */
public final class Stage1Objective {

    private final ObjectiveConfig config;
    private final NegativeSampler sampler;
    private PhaseListener phases = PhaseListener.NONE;
    private boolean generalPathOnly;
    private String masksCheckedFor;

    /**
     * Told when each part of the forward pass is done ({@code image}, {@code itc}, {@code itm},
     * {@code itg}), in that order; for profiling (the benchmark times the parts with it).
     */
    @FunctionalInterface
    public interface PhaseListener {
        PhaseListener NONE = phase -> {};

        void finished(String phase);
    }

    /** With the negative sampler the config names ({@code objective.itmNegatives}). */
    public Stage1Objective(ObjectiveConfig config) {
        this(config, switch (config.itmNegatives()) {
            case HARD -> new HardNegativeSampler();
            case RANDOM -> new RandomNegativeSampler();
        });
    }

    /** With a chosen negative sampler (e.g. {@link FixedNegatives} for reproducible ITM). */
    public Stage1Objective(ObjectiveConfig config, NegativeSampler sampler) {
        this.config = config;
        this.sampler = sampler;
    }

    public ObjectiveConfig config() {
        return config;
    }

    /** Reports the end of each forward part to {@code listener} (null: to nobody); returns this. */
    public Stage1Objective onPhase(PhaseListener listener) {
        this.phases = listener == null ? PhaseListener.NONE : listener;
        return this;
    }

    /**
     * Runs every branch as one joint pass under its mask, even where separate passes compute the same
     * function: for testing that they do.
     */
    Stage1Objective generalPathOnly() {
        this.generalPathOnly = true;
        return this;
    }

    /**
     * @param scope the step's manager: every array this step creates belongs to it and is freed
     *     with it; the inputs are attached to it only for the step and then returned to their owner
     * @param imageEmbeds the frozen encoder's features, before {@code ln_vision} [B, P, Dv]
     * @param textIds int64 [B, T], first token [CLS]
     * @param textMask int64 [B, T], 1 = token, 0 = padding
     */
    public Stage1Output forward(
            NDManager scope, Blip2QFormer model, NDArray imageEmbeds, NDArray textIds, NDArray textMask,
            boolean training) {
        return forward(scope, model, imageEmbeds, textIds, textMask, null, training);
    }

    /**
     * As {@link #forward(NDManager, Blip2QFormer, NDArray, NDArray, NDArray, boolean)}, knowing which
     * other pairs of the batch match too.
     *
     * @param alsoTrue [B, B], 1 where text j also describes image i (ITM never draws such a pair as a
     *     negative); null when only the diagonal pairs match, as BLIP-2 assumes
     */
    public Stage1Output forward(
            NDManager scope, Blip2QFormer model, NDArray imageEmbeds, NDArray textIds, NDArray textMask,
            NDArray alsoTrue, boolean training) {
        BatchShapes.requireImageTextBatch(imageEmbeds, textIds, textMask);
        Scopes.enter(scope, imageEmbeds, textIds, textMask);
        NDManager m = scope;
        long b = textIds.getShape().get(0);
        int q = model.config().numQueries();
        int t = (int) textIds.getShape().get(1);
        boolean doItc = config.itcWeight() > 0;
        boolean doItm = config.itmWeight() > 0;
        boolean doItg = config.itgWeight() > 0;

        checkMasks(model);
        AttentionMask itcMask = AttentionMask.of("ITC", config.itcMask(), q, t);
        ImageContext image = model.encoder().encodeImage(model.normalizeImage(imageEmbeds));
        phases.finished("image");

        // ITC (also needed by ITM, whose negatives follow the similarities)
        EncoderOutput queryPass = null; // a query-only pass, under queryPassMask's queries' block
        AttentionMask queryPassMask = null;
        NDArray queryOut = null;
        NDArray textOut = null;
        NDArray imageFeats = null;
        NDArray textFeat = null;
        Itc.Similarities sim = null;
        NDArray itc = null;
        if (doItc || doItm) {
            if (itcMask.separatesQueriesAndText() && !generalPathOnly) {
                // Queries and text never meet (BLIP-2's uni-modal mask): two separate passes are
                // the same function as one joint pass, and cheaper.
                Itc.ImageEmbedding img = Itc.embedImage(model, m, image, b, itcMask.queryBias(m), training);
                queryPass = img.queryPass();
                queryPassMask = itcMask;
                queryOut = queryPass.hidden();
                imageFeats = img.feats();
                textOut = Itc.encodeTextUnder(model, textIds, itcMask.textBias(m, textMask), training);
            } else {
                NDArray bias = itcMask.bias(m, textMask);
                EncoderOutput joint = model.encoder().forward(model.queries(m, b), textIds, bias, image, null, training);
                queryOut = joint.queries();
                textOut = joint.text();
                imageFeats = Itc.normalize(model.visionProj().forward(queryOut));
            }
            textFeat = Itc.textFeatures(model, textOut);
            NDArray temperature = model.temperature(m, config.clampTemperature());
            sim = Itc.similarities(imageFeats, textFeat, temperature);
            if (doItc) {
                itc = Itc.loss(sim, config.itcLabelSmoothing());
            }
            phases.finished("itc");
        }

        Negatives negatives = null;
        Itm.Result itm = null;
        if (doItm) {
            negatives = sampler.sample(sim, alsoTrue);
            itm = Itm.forward(model, image, textIds, textMask, negatives, config.itmMask(), training);
            phases.finished("itm");
        }

        Itg.Result itg = null;
        if (doItg) {
            AttentionMask itgMask = AttentionMask.of("ITG", config.itgMask(), q, t);
            if (itgMask.allowsNone(0, q, q, q + t) && !generalPathOnly) {
                // Queries see no text: their states are those of a query-only pass under ITG's
                // queries' block, and the text attends to its cached keys/values (as LAVIS does).
                if (queryPass == null || !itgMask.sameQueryBlock(queryPassMask)) {
                    queryPass = model.encoder().forward(
                            model.queries(m, b), null, itgMask.queryBias(m), image, null, training);
                }
                itg = Itg.forward(model, queryPass, textIds, textMask, itgMask, config.itgLabelSmoothing(), training);
            } else {
                itg = Itg.forwardJoint(model, m, image, textIds, textMask, itgMask, config.itgLabelSmoothing(), training);
            }
            phases.finished("itg");
        }

        NDArray total = null;
        total = addWeighted(total, itc, config.itcWeight());
        total = addWeighted(total, itm == null ? null : itm.loss(), config.itmWeight());
        total = addWeighted(total, itg == null ? null : itg.loss(), config.itgWeight());
        return new Stage1Output(
                total,
                itc,
                itm == null ? null : itm.loss(),
                itg == null ? null : itg.loss(),
                queryOut,
                textOut,
                imageFeats,
                textFeat,
                sim,
                negatives,
                itm == null ? null : itm.output(),
                itm == null ? null : itm.logits(),
                itg == null ? null : itg.logits());
    }

    /** The config's masks must fit this model's queries and text length (checked once per shape). */
    private void checkMasks(Blip2QFormer model) {
        String shape = model.config().numQueries() + ":" + model.config().maxTextLength();
        if (!shape.equals(masksCheckedFor)) {
            config.checkMasks(model.config().numQueries(), model.config().maxTextLength());
            masksCheckedFor = shape;
        }
    }

    private static NDArray addWeighted(NDArray total, NDArray loss, double weight) {
        if (loss == null) {
            return total;
        }
        NDArray term = weight == 1 ? loss : Scalars.times(loss, weight);
        return total == null ? term : total.add(term);
    }
}
