package org.qformerlab.kernel.magic;

import java.util.List;
import org.qformerlab.blip2.config.ItcMask;
import org.qformerlab.blip2.qformer.AttentionMask;

/**
 * {@code %masks [--queries Q --text T]}: draws the three self-attention masks of BLIP-2's stage 1 as
 * labelled heatmaps: ITC (uni-modal), ITG (multimodal causal), ITM (bi-directional).
 */
public final class MasksMagic implements Magic {

    static final int DEFAULT_QUERIES = 4;
    static final int DEFAULT_TEXT = 6;
    private static final int MAX_TOKENS = 128;

    private static final MagicSpec SPEC = new MagicSpec(
            "masks", false, "",
            "draw the ITC, ITG and ITM attention masks as labelled heatmaps",
            """
            Draws the three masks of BLIP-2's stage 1 over [queries ; text] (row attends to column,
            blue = may attend): ITC lets queries see only queries and text only text, so the
            contrastive task cannot leak; ITG lets each text token see all queries and the text before
            it (causal generation grounded in the image); ITM lets everything see everything. The
            query count is the current variant's (from %qformer or %%config qformer) unless given; the
            ITC mask follows the last %%config objective (itcMask: BIDIRECTIONAL is the leaky ablation).""",
            List.of(
                    MagicOption.valued("queries", "Q", "number of queries (default: the current variant's, else "
                            + DEFAULT_QUERIES + ")"),
                    MagicOption.valued("text", "T", "number of text tokens (default " + DEFAULT_TEXT + ")")),
            List.of("%masks", "%masks --queries 3 --text 5"));

    @Override
    public MagicSpec spec() {
        return SPEC;
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) {
        args.atMostPositionals(0);
        int fallbackQueries = context.state().currentVariant().map(c -> c.numQueries()).orElse(DEFAULT_QUERIES);
        int queries = args.integer("queries", fallbackQueries, 1);
        int text = args.integer("text", DEFAULT_TEXT, 1);
        if (queries + text > MAX_TOKENS) {
            throw new MagicUsageException(SPEC, "Q + T = " + (queries + text) + " tokens is too many to draw; keep it"
                    + " under " + MAX_TOKENS + " (e.g. --queries 8 --text 8)");
        }
        ItcMask itc = context.state().objective().itcMask();
        context.println("BLIP-2's three masks for " + queries + " queries and " + text
                + " text tokens (row attends to column):");
        for (AttentionMask mask : masks(queries, text, itc)) {
            context.display(mask);
        }
    }

    /** ITC (as the objective says), ITG, ITM. */
    static List<AttentionMask> masks(int queries, int text, ItcMask itc) {
        AttentionMask itcMask = itc == ItcMask.BIDIRECTIONAL
                ? AttentionMask.custom("ITC (bidirectional ablation)", queries, text,
                        AttentionMask.bidirectional(queries, text).matrix())
                : AttentionMask.unimodal(queries, text);
        return List.of(itcMask, AttentionMask.multimodalCausal(queries, text),
                AttentionMask.bidirectional(queries, text));
    }
}
