package org.qformerlab.blip2.experiment.evaluation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.data.BindingFoils;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.eval.Binding;
import org.qformerlab.blip2.eval.PairScorer.Scorer;

/**
 * The binding benchmark on one split.
 *
 * @param split which split's images
 * @param images how many images the foils came from
 * @param binding accuracy per foil type and scorer
 * @param examples the first few tests (caption and foil)
 * @param seconds how long the benchmark took
 */
public record SplitBinding(Split split, int images, Binding binding, List<BindingFoils.Foil> examples, double seconds) {

    /**
     * What {@code results.json} holds under {@code binding}: the split, chance, seconds, and per foil
     * type (and {@code all}) the tests {@code n}, each scorer's accuracy ({@code itc}, {@code itm},
     * {@code itg}) and standard error ({@code itc_se}, ...), and the bag-of-words ceiling.
     */
    public Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("split", split.name().toLowerCase(java.util.Locale.ROOT));
        out.put("images", images);
        out.put("chance", Binding.CHANCE);
        out.put("seconds", seconds);
        Map<String, Object> types = new LinkedHashMap<>();
        for (Binding.Row r : binding.rows()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("n", r.count());
            for (Scorer s : Scorer.values()) {
                row.put(s.key(), r.accuracy().get(s));
            }
            for (Scorer s : Scorer.values()) {
                row.put(s.key() + "_se", r.standardError(s));
            }
            row.put("bag_of_words_ceiling", r.bagOfWordsCeiling());
            types.put(r.key(), row);
        }
        out.put("types", types);
        return out;
    }
}
