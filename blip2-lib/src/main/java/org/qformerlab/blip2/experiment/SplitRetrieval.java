package org.qformerlab.blip2.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.eval.McNemar;
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
 * @param rerankTest what re-ranking did to recall@1, query by query: McNemar's test of the re-ranked
 *     ranking against ITC's, image->text and text->image ({@code null} when {@code rerankK} is 0)
 * @param examples a few images with their best-ranked captions (after re-ranking)
 */
public record SplitRetrieval(
        Split split, int images, int texts, Recall itc, Recall reranked, Recall chance, int rerankK,
        Paired rerankTest, List<Example> examples) {

    /**
     * The same test in both directions.
     *
     * @param imageToText over the images as queries
     * @param textToImage over the texts as queries
     */
    public record Paired(McNemar imageToText, McNemar textToImage) {}

    /** The header of the recall-table column that shows {@link #rerankTest} ({@link McNemar#shortText}). */
    public static final String RERANK_COLUMN = "R@1 vs ITC";

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
     * {@code <prefix>i2t_r1_chance}, ... ({@code itm} = ITC + ITM re-ranking), and the re-ranking
     * test's {@code <prefix>i2t_r1_rerank_gained}, {@code _lost}, {@code _p}.
     */
    public Map<String, Double> metrics(String prefix) {
        Map<String, Double> out = new LinkedHashMap<>();
        put(out, prefix, "itc", itc);
        if (rerankK > 0) {
            put(out, prefix, "itm", reranked);
        }
        put(out, prefix, "chance", chance);
        if (rerankTest != null) {
            put(out, prefix + "i2t", rerankTest.imageToText());
            put(out, prefix + "t2i", rerankTest.textToImage());
        }
        return out;
    }

    /** {@code <prefix>_r1_rerank_gained}, {@code _lost} and {@code _p}. */
    private static void put(Map<String, Double> out, String prefix, McNemar m) {
        String name = rerankPrefix(prefix, m.k());
        out.put(name + "gained", (double) m.gained());
        out.put(name + "lost", (double) m.lost());
        out.put(name + "p", m.p());
    }

    /**
     * The re-ranking test of one direction ({@code "i2t"} or {@code "t2i"}) read back from flat metrics
     * as {@link #metrics} wrote them (e.g. a run's {@code results.json}); {@code null} when they hold none.
     */
    public static McNemar rerankTest(Map<String, Double> metrics, String direction) {
        String name = rerankPrefix(direction, 1);
        Double p = metrics.get(name + "p");
        if (p == null) {
            return null;
        }
        return new McNemar(1, metrics.get(name + "gained").intValue(), metrics.get(name + "lost").intValue(), p);
    }

    private static String rerankPrefix(String direction, int k) {
        return direction + "_r" + k + "_rerank_";
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
