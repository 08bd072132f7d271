package org.qformerlab.blip2.eval;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.data.FoilType;
import org.qformerlab.blip2.eval.PairScorer.Scorer;

/**
 * A binding benchmark's scores ({@link org.qformerlab.blip2.data.BindingFoils}): for each test, a
 * true caption against a foil of its image; a scorer is right when it scores the caption above the
 * foil, half right on a tie (what a coin toss between the two would get), so chance is 1/2 for every
 * type. A bag-of-words matcher scores a caption through its multiset of words alone, so on a foil with
 * the same words ({@link FoilType#sameWords}) it ties: its ceiling there is 1/2, elsewhere 1.
 *
 * @param rows one per foil type present, in {@link FoilType} order, then {@link #ALL} over every test
 *     (its {@code type} is null)
 */
public record Binding(List<Row> rows) {

    /** The chance level: one of two captions picked at random. */
    public static final double CHANCE = 0.5;

    /** The metric-name form of the row over every test. */
    public static final String ALL = "all";

    /**
     * @param type the foil type (null for the row over all tests)
     * @param count tests of this type
     * @param accuracy per scorer
     * @param bagOfWordsCeiling the best any bag-of-words matcher can do on this type
     */
    public record Row(FoilType type, int count, Map<Scorer, Double> accuracy, double bagOfWordsCeiling) {

        /** The row's metric-name form: the type's key, or {@link #ALL}. */
        public String key() {
            return type == null ? ALL : type.key();
        }

        /** The sampling standard error of a scorer's accuracy over the row's tests. */
        public double standardError(Scorer scorer) {
            double a = accuracy.get(scorer);
            return Math.sqrt(a * (1 - a) / count);
        }
    }

    /**
     * @param types the type of each test
     * @param trueScores {@code [scorer.ordinal()][test]}: the true caption's score
     * @param foilScores {@code [scorer.ordinal()][test]}: the foil's score
     */
    public static Binding of(List<FoilType> types, float[][] trueScores, float[][] foilScores) {
        int n = types.size();
        for (Scorer s : Scorer.values()) {
            if (trueScores[s.ordinal()].length != n || foilScores[s.ordinal()].length != n) {
                throw new IllegalArgumentException(n + " tests but " + s + " scored " + trueScores[s.ordinal()].length
                        + " captions and " + foilScores[s.ordinal()].length + " foils");
            }
        }
        List<Row> rows = new ArrayList<>();
        for (FoilType type : FoilType.values()) {
            if (types.contains(type)) {
                rows.add(row(type, types, trueScores, foilScores));
            }
        }
        if (n > 0) {
            rows.add(row(null, types, trueScores, foilScores));
        }
        return new Binding(List.copyOf(rows));
    }

    private static Row row(FoilType type, List<FoilType> types, float[][] trueScores, float[][] foilScores) {
        Map<Scorer, Double> accuracy = new EnumMap<>(Scorer.class);
        int count = 0;
        double sameWords = 0;
        for (int t = 0; t < types.size(); t++) {
            if (type == null || types.get(t) == type) {
                count++;
                sameWords += types.get(t).sameWords() ? 1 : 0;
                for (Scorer s : Scorer.values()) {
                    accuracy.merge(s, credit(trueScores[s.ordinal()][t], foilScores[s.ordinal()][t]), Double::sum);
                }
            }
        }
        int c = count;
        accuracy.replaceAll((s, right) -> right / c);
        // a bag-of-words matcher ties on same-word foils (1/2) and may be right on the others (1)
        double ceiling = (sameWords * CHANCE + (count - sameWords)) / count;
        return new Row(type, count, accuracy, ceiling);
    }

    /** 1 when the true caption scores higher, 1/2 on a tie, 0 otherwise; NaN scores lowest. */
    static double credit(float caption, float foil) {
        double a = Float.isNaN(caption) ? Double.NEGATIVE_INFINITY : caption;
        double b = Float.isNaN(foil) ? Double.NEGATIVE_INFINITY : foil;
        return a > b ? 1 : a == b ? CHANCE : 0;
    }

    /** The row of one type, or of all tests ({@code null}); null when there is none. */
    public Row row(FoilType type) {
        return rows.stream().filter(r -> r.type() == type).findFirst().orElse(null);
    }

    /**
     * Flat metrics for studies and logs: {@code <prefix><type>_<scorer>} (accuracy, e.g.
     * {@code bind_attribute_swap_itm}, {@code bind_all_itg}), {@code <prefix><type>_<scorer>_se}
     * and {@code <prefix><type>_n}.
     */
    public Map<String, Double> metrics(String prefix) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Row r : rows) {
            for (Scorer s : Scorer.values()) {
                out.put(prefix + r.key() + "_" + s.key(), r.accuracy().get(s));
            }
        }
        for (Row r : rows) {
            for (Scorer s : Scorer.values()) {
                out.put(prefix + r.key() + "_" + s.key() + "_se", r.standardError(s));
            }
            out.put(prefix + r.key() + "_n", (double) r.count());
        }
        return out;
    }
}
