package org.qformerlab.blip2.experiment.evaluation;

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
 * @param truth the same rankings counted by what is true of each image ({@link Truth})
 */
public record SplitRetrieval(
        Split split, int images, int texts, Recall itc, Recall reranked, Recall chance, int rerankK,
        Paired rerankTest, List<Example> examples, Truth truth) {

    /**
     * Recall that counts what is true: a retrieved caption is a hit when the scene makes it true of the
     * image ({@link org.qformerlab.blip2.data.CaptionTruth}), a retrieved image when the caption is true
     * of it, whoever the caption was written for. Its ceiling is 1; the own-caption recall above (LAVIS's
     * protocol) is capped at {@code ownCeiling}.
     *
     * @param itc truth-aware recall with ITC alone
     * @param reranked truth-aware recall after ITM re-ranking (equal to {@code itc} when not re-ranked)
     * @param chance truth-aware recall of a random ranking
     * @param ownCeiling the own-caption recall of a perfect scorer ({@link Recall#ceiling})
     * @param sharedCaptions the fraction of the split's captions true of more than one of its images
     */
    public record Truth(Recall itc, Recall reranked, Recall chance, Recall ownCeiling, double sharedCaptions) {}

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
     * @param correct whether each of them is true of the image (by its scene)
     * @param own whether each of them was written for the image
     */
    public record Example(int imageIndex, List<String> captions, List<Boolean> correct, List<Boolean> own) {}

    /**
     * Flat metric names as logged: {@code <prefix>i2t_r1_itc}, {@code <prefix>t2i_r5_itm},
     * {@code <prefix>i2t_r1_chance}, ... ({@code itm} = ITC + ITM re-ranking), and the re-ranking
     * test's {@code <prefix>i2t_r1_rerank_gained}, {@code _lost}, {@code _p}. Truth-aware recall is
     * {@code <prefix>i2t_r1_true_itc}, {@code _true_itm}, {@code _true_chance}; the own-caption ceiling
     * {@code <prefix>i2t_r1_ceiling}; the sampling standard errors of the best ranking's recall@1
     * {@code <prefix>i2t_r1_se} (own captions) and {@code <prefix>i2t_r1_true_se}; the share of captions
     * true of several images {@code <prefix>shared_captions}.
     */
    public Map<String, Double> metrics(String prefix) {
        Map<String, Double> out = new LinkedHashMap<>();
        put(out, prefix, "itc", itc);
        if (rerankK > 0) {
            put(out, prefix, "itm", reranked);
        }
        put(out, prefix, "chance", chance);
        put(out, prefix, "true_itc", truth.itc());
        if (rerankK > 0) {
            put(out, prefix, "true_itm", truth.reranked());
        }
        put(out, prefix, "true_chance", truth.chance());
        put(out, prefix, "ceiling", truth.ownCeiling());
        out.put(prefix + "i2t_r1_se", standardError(reranked, true));
        out.put(prefix + "t2i_r1_se", standardError(reranked, false));
        out.put(prefix + "i2t_r1_true_se", standardError(truth.reranked(), true));
        out.put(prefix + "t2i_r1_true_se", standardError(truth.reranked(), false));
        out.put(prefix + "shared_captions", truth.sharedCaptions());
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
     * The sampling standard error of recall@1 in one direction, over the queries that recall counts
     * (re-ranked recall may count a subset of the split: {@link org.qformerlab.blip2.experiment.config.EvalConfig#rerankImages}).
     */
    public double standardError(Recall r, boolean imageToText) {
        return r.standardErrorAt1(imageToText);
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
