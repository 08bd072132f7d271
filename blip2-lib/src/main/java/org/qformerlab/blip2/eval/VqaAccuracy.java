package org.qformerlab.blip2.eval;

import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.data.QA;
import org.qformerlab.blip2.data.QuestionType;

/**
 * VQA exact-match accuracy per question type, beside the baseline that answers every question of
 * a type with that type's most frequent training answer (what a language prior alone achieves:
 * "yes" to every relation question, "small" to every size question). An answer counts when its
 * words, lower-cased and trimmed, equal the reference.
 */
public final class VqaAccuracy {

    private final Map<QuestionType, String> majority;
    private final Map<QuestionType, int[]> tallies = new EnumMap<>(QuestionType.class);
    private final BitSet right = new BitSet();
    private int asked;

    /** @param majority each type's most frequent training answer ({@link #majorityAnswers}) */
    public VqaAccuracy(Map<QuestionType, String> majority) {
        this.majority = Map.copyOf(majority);
    }

    /** Each type's most frequent answer among {@code training} (ties: the alphabetically first). */
    public static Map<QuestionType, String> majorityAnswers(List<QA> training) {
        Map<QuestionType, Map<String, Integer>> counts = new EnumMap<>(QuestionType.class);
        for (QA qa : training) {
            counts.computeIfAbsent(qa.type(), t -> new HashMap<>()).merge(normalise(qa.answer()), 1, Integer::sum);
        }
        Map<QuestionType, String> out = new EnumMap<>(QuestionType.class);
        counts.forEach((type, c) -> out.put(type, c.entrySet().stream()
                .max(Map.Entry.<String, Integer>comparingByValue()
                        .thenComparing(Map.Entry.<String, Integer>comparingByKey().reversed()))
                .orElseThrow().getKey()));
        return out;
    }

    /** Adds one answered question. */
    public VqaAccuracy add(QA qa, String predicted) {
        int[] t = tallies.computeIfAbsent(qa.type(), k -> new int[3]); // model right, baseline right, total
        String truth = normalise(qa.answer());
        if (normalise(predicted).equals(truth)) {
            t[0]++;
            right.set(asked);
        }
        asked++;
        if (truth.equals(majority.get(qa.type()))) {
            t[1]++;
        }
        t[2]++;
        return this;
    }

    /**
     * Whether each question was answered right, in the order they were added: what a question-by-question
     * comparison of two models on the same questions ({@link McNemar}) reads.
     */
    public boolean[] answeredRight() {
        boolean[] out = new boolean[asked];
        for (int i = 0; i < asked; i++) {
            out[i] = right.get(i);
        }
        return out;
    }

    /** Question types seen, in enum order. */
    public List<QuestionType> types() {
        return tallies.keySet().stream().toList();
    }

    /** The model's exact-match accuracy on questions of {@code type}. */
    public double accuracy(QuestionType type) {
        int[] t = tallies.get(type);
        return t == null ? Double.NaN : t[0] / (double) t[2];
    }

    /** The majority-answer baseline's accuracy on the same questions. */
    public double majorityAccuracy(QuestionType type) {
        int[] t = tallies.get(type);
        return t == null ? Double.NaN : t[1] / (double) t[2];
    }

    /**
     * Whether the model beats the majority answer on {@code type} by more than sampling noise: by
     * more than twice the baseline's binomial standard error, {@code 2 sqrt(p (1 - p) / n)} for its
     * accuracy {@code p} over the {@code n} questions asked (0.05 for p = 0.25 and n = 300).
     */
    public boolean clearlyAboveMajority(QuestionType type) {
        int n = count(type);
        if (n == 0) {
            return false;
        }
        double p = majorityAccuracy(type);
        return accuracy(type) - p > 2 * Math.sqrt(p * (1 - p) / n);
    }

    /** Questions of {@code type} asked. */
    public int count(QuestionType type) {
        int[] t = tallies.get(type);
        return t == null ? 0 : t[2];
    }

    /** Accuracy over every question (each question weighs the same). */
    public double overall() {
        return pooled(0);
    }

    /** The baseline over every question. */
    public double majorityOverall() {
        return pooled(1);
    }

    /** The majority answer of each type. */
    public Map<QuestionType, String> majority() {
        return majority;
    }

    /**
     * Puts the accuracies into {@code out} under the names metrics use: overall as {@code name}, per
     * question type as {@code name_<type>} (lower case), e.g. {@code vqa}, {@code vqa_colour}.
     */
    public void putAccuracies(Map<String, Double> out, String name) {
        out.put(name, overall());
        for (QuestionType t : types()) {
            out.put(name + "_" + t.name().toLowerCase(Locale.ROOT), accuracy(t));
        }
    }

    private double pooled(int column) {
        int hit = 0;
        int n = 0;
        for (int[] t : tallies.values()) {
            hit += t[column];
            n += t[2];
        }
        return n == 0 ? Double.NaN : hit / (double) n;
    }

    static String normalise(String answer) {
        return answer.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }
}
