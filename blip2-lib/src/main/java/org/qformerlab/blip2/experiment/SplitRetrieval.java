package org.qformerlab.blip2.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.eval.Recall;

/**
 * Retrieval results on one split.
 *
 * @param split which split
 * @param images gallery images
 * @param texts gallery captions
 * @param itc recall with ITC similarities alone
 * @param reranked recall after ITM re-ranking of the top {@code rerankK} (equal to {@code itc}
 *     when {@code rerankK} is 0)
 * @param chance recall of a random ranking
 * @param rerankK candidates re-ranked per query
 * @param examples a few images with their best-ranked captions (after re-ranking)
 */
public record SplitRetrieval(
        Split split, int images, int texts, Recall itc, Recall reranked, Recall chance, int rerankK,
        List<Example> examples) {

    /**
     * One image and the captions retrieved for it, best first.
     *
     * @param imageIndex index into the split's evaluation set
     * @param captions the top retrieved captions
     * @param correct whether each of them is one of the image's own
     */
    public record Example(int imageIndex, List<String> captions, List<Boolean> correct) {}

    /**
     * Flat metric names as logged: {@code <prefix>i2t_r1_itc}, {@code <prefix>t2i_r5_itm},
     * {@code <prefix>i2t_r1_chance}, ... ({@code itm} = ITC + ITM re-ranking).
     */
    public Map<String, Double> metrics(String prefix) {
        Map<String, Double> out = new LinkedHashMap<>();
        put(out, prefix, "itc", itc);
        if (rerankK > 0) {
            put(out, prefix, "itm", reranked);
        }
        put(out, prefix, "chance", chance);
        return out;
    }

    private static void put(Map<String, Double> out, String prefix, String method, Recall r) {
        for (int j = 0; j < r.ks().length; j++) {
            out.put(prefix + "i2t_r" + r.ks()[j] + "_" + method, r.imageToText()[j]);
        }
        for (int j = 0; j < r.ks().length; j++) {
            out.put(prefix + "t2i_r" + r.ks()[j] + "_" + method, r.textToImage()[j]);
        }
    }
}
