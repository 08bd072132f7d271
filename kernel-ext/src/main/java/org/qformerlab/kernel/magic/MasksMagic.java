package org.qformerlab.kernel.magic;

import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.config.MaskSpec;
import org.qformerlab.blip2.config.MatrixMask;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.qformer.AttentionMask;

/**
 * {@code %masks [--queries Q --text T]}: draws the three self-attention masks of stage 1 as labelled
 * heatmaps, as the objective in force names them ({@code objective.itcMask}, {@code itgMask},
 * {@code itmMask}; BLIP-2's are ITC uni-modal, ITG multimodal causal, ITM bi-directional).
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
            query count is the current variant's (from %qformer or %%config qformer) unless given. The masks
            are the objective's: the last %%config objective names each branch's (itcMask, itgMask,
            itmMask: UNIMODAL, MULTIMODAL_CAUSAL, BIDIRECTIONAL, block rules or a matrix), and a custom
            mask is checked as training would check it. A matrix fits one size: the text length is
            then the matrix's unless given.""",
            List.of(
                    MagicOption.valued("queries", "Q", "number of queries (default: the current variant's, else "
                            + DEFAULT_QUERIES + ")"),
                    MagicOption.valued("text", "T", "number of text tokens (default " + DEFAULT_TEXT
                            + ", or what a matrix mask was written for)")),
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
        ObjectiveConfig objective = context.state().objective();
        int text = args.integer("text", matrixText(objective, queries).orElse(DEFAULT_TEXT), 1);
        if (queries + text > MAX_TOKENS) {
            throw new MagicUsageException(SPEC, "Q + T = " + (queries + text) + " tokens is too many to draw; keep it"
                    + " under " + MAX_TOKENS + " (e.g. --queries 8 --text 8)");
        }
        boolean blip2 = objective.masks().equals(ObjectiveConfig.blip2().masks());
        context.println((blip2 ? "BLIP-2's three masks" : "The objective's three masks") + " for " + queries
                + " queries and " + text + " text tokens (row attends to column):");
        for (AttentionMask mask : masks(queries, text, objective)) {
            context.display(mask);
        }
    }

    /** ITC, ITG, ITM, as the objective names them, checked for Q queries and T text tokens. */
    static List<AttentionMask> masks(int queries, int text, ObjectiveConfig objective) {
        objective.checkMasks(queries, text);
        List<AttentionMask> out = new ArrayList<>();
        for (String branch : List.of("itc", "itg", "itm")) {
            out.add(AttentionMask.of(branch.toUpperCase(java.util.Locale.ROOT), objective.masks().get(branch), queries, text));
        }
        return out;
    }

    /** The text length a matrix mask of the objective was written for, with Q queries. */
    private static java.util.Optional<Integer> matrixText(ObjectiveConfig objective, int queries) {
        for (MaskSpec mask : objective.masks().values()) {
            if (mask instanceof MatrixMask m && m.size() > queries) {
                return java.util.Optional.of(m.size() - queries);
            }
        }
        return java.util.Optional.empty();
    }
}
