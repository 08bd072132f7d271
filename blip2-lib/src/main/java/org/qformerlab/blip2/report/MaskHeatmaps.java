package org.qformerlab.blip2.report;

import java.awt.image.BufferedImage;
import java.util.List;
import org.qformerlab.blip2.qformer.AttentionMask;

/** Draws attention masks as labelled heatmaps: rows attend to columns, queries before text. */
public final class MaskHeatmaps {

    private MaskHeatmaps() {}

    /** The heatmap of one mask, with q0.. / t0.. labels and a line between queries and text. */
    public static Heatmap of(AttentionMask mask) {
        return Heatmap.ofMask(mask.matrix())
                .title(mask.name() + " (row attends to column)")
                .labels(List.of(mask.labels()))
                .divideAt(mask.numQueries())
                .legendLabels("may attend", "blocked");
    }

    public static BufferedImage render(AttentionMask mask) {
        return of(mask).render();
    }

    /** The three masks of BLIP-2 for Q queries and T text tokens: ITC, ITG, ITM. */
    public static List<AttentionMask> blip2(int numQueries, int textLength) {
        return List.of(
                AttentionMask.unimodal(numQueries, textLength),
                AttentionMask.multimodalCausal(numQueries, textLength),
                AttentionMask.bidirectional(numQueries, textLength));
    }
}
