package org.qformerlab.blip2.eval;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.data.QuestionType;

/**
 * Zero-shot VQA normalised by the headroom the frozen LM leaves: per question type,
 *
 * <pre>
 *   normalised = (accuracy - majority) / (ceiling - majority)
 * </pre>
 *
 * where majority is the majority answer's accuracy on the same questions and the ceiling is what
 * the same frozen LM answers when it reads the image's true captions instead of the soft prompt
 * ({@code CaptionReading}). 0 is the language prior alone, 1 is as much as the true captions give
 * the LM (more is possible: a soft prompt can carry what the captions leave out), negative is worse
 * than the prior. The aggregate is the plain mean over the types kept, each type weighing the same
 * whatever its number of questions, so that an easy type with many questions does not hide a hard
 * one.
 *
 * <p>Beside it, {@code pooled}: the types' gains over the majority answer summed, over their
 * headrooms summed, {@code sum(accuracy - majority) / sum(ceiling - majority)} over the types kept
 * (each type still weighing the same, whatever its number of questions). It is the mean of the
 * normalised scores weighted by each type's headroom, so a type with little headroom moves it by
 * what it gains, not by that gain over its small headroom. The plain mean is noise wherever one
 * type's headroom is small (counting's 0.12 in studies 02 and 02b swung it by ± 0.4 between seeds);
 * the pooled score is the one to decide with.
 *
 * <p>A type is left out of the aggregate, with its reason, when
 * <ul>
 *   <li>its ceiling is less than {@link #MIN_HEADROOM} above its majority: the LM cannot answer it
 *       even from the captions, and a tiny denominator would turn sampling noise into any number; or
 *   <li>on its questions whose answer the captions state ({@code stated}: relation questions the
 *       captions settle), the LM reads below {@link #MIN_STATED}: the LM cannot read the type, so
 *       its ceiling is a guess, not a reading.
 * </ul>
 *
 * @param normalised per type kept, the normalised accuracy
 * @param excluded per type left out, why
 * @param aggregate the mean of {@code normalised}; NaN when no type is kept
 * @param pooled the summed gains over the summed headrooms of the types kept; NaN when none is kept
 */
public record HeadroomScore(Map<QuestionType, Double> normalised, Map<QuestionType, String> excluded, double aggregate,
        double pooled) {

    /** The least ceiling - majority for a type to count. */
    public static final double MIN_HEADROOM = 0.05;
    /** The least accuracy, on questions whose answer is in the text, for a type to count. */
    public static final double MIN_STATED = 0.8;

    public HeadroomScore {
        normalised = Map.copyOf(normalised);
        excluded = Map.copyOf(excluded);
    }

    /**
     * @param model the bridge's answers (behind the soft prompt)
     * @param ceiling the LM's answers to the same questions behind the true captions
     * @param stated the LM's answers to the questions whose answer the captions state (may lack types)
     */
    public static HeadroomScore of(VqaAccuracy model, VqaAccuracy ceiling, VqaAccuracy stated) {
        Map<QuestionType, Double> normalised = new EnumMap<>(QuestionType.class);
        Map<QuestionType, String> excluded = new EnumMap<>(QuestionType.class);
        double gains = 0;
        double headrooms = 0;
        for (QuestionType type : model.types()) {
            double majority = model.majorityAccuracy(type);
            double top = ceiling.accuracy(type);
            double read = stated == null ? Double.NaN : stated.accuracy(type);
            if (!Double.isNaN(read) && read < MIN_STATED) {
                excluded.put(type, String.format(Locale.ROOT, "the LM answers only %.3f of the %d questions whose"
                        + " answer the captions state (at least %.1f needed): it cannot read this type",
                        read, stated.count(type), MIN_STATED));
            } else if (!(top - majority >= MIN_HEADROOM)) {
                excluded.put(type, String.format(Locale.ROOT, "the LM reading the true captions (%.3f) is not %.2f"
                        + " above the majority answer (%.3f): no headroom to normalise by", top, MIN_HEADROOM, majority));
            } else {
                double gain = model.accuracy(type) - majority;
                normalised.put(type, gain / (top - majority));
                gains += gain;
                headrooms += top - majority;
            }
        }
        double aggregate = normalised.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        return new HeadroomScore(normalised, excluded, aggregate, normalised.isEmpty() ? Double.NaN : gains / headrooms);
    }
}
