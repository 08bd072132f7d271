package org.qformerlab.blip2.experiment;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.qformerlab.blip2.experiment.evaluation.SplitBinding;
import org.qformerlab.blip2.experiment.evaluation.SplitRetrieval;
import org.qformerlab.blip2.experiment.evaluation.Stage2Evaluation;
import org.qformerlab.blip2.train.Trainer;

/**
 * The console's view of a run: a step line every {@code logEvery} steps, one line per validation
 * ({@link #stage1}: retrieval recall; {@link #stage2}: CIDEr-D and VQA), and where a resumed run continues.
 */
final class ProgressLines implements Trainer.Listener {

    private final PrintStream out;
    private final int every;
    private final Function<Map<String, Double>, String> validation;

    private ProgressLines(PrintStream out, int every, Function<Map<String, Double>, String> validation) {
        this.out = out;
        this.every = every;
        this.validation = validation;
    }

    /** Stage 1: a validation line gives recall@1 and @5 (ITC) beside chance. */
    static ProgressLines stage1(PrintStream out, int every) {
        return new ProgressLines(out, every, m -> String.format(Locale.ROOT,
                "R@1 i2t %.3f t2i %.3f, R@5 i2t %.3f t2i %.3f (ITC; chance R@1 %.3f / %.3f)",
                m.get("val_i2t_r1_itc"), m.get("val_t2i_r1_itc"), m.get("val_i2t_r5_itc"),
                m.get("val_t2i_r5_itc"), m.get("val_i2t_r1_chance"), m.get("val_t2i_r1_chance")));
    }

    /** Stage 2: a validation line gives CIDEr-D and zero-shot VQA beside the majority answer. */
    static ProgressLines stage2(PrintStream out, int every) {
        String v = Stage2Evaluation.VALIDATION;
        return new ProgressLines(out, every, m -> String.format(Locale.ROOT,
                "CIDEr-D %.3f BLEU-4 %.3f | VQA %.3f (majority baseline %.3f)",
                m.get(v + "cider"), m.get(v + "bleu4"), m.get(v + "vqa"), m.get(v + "vqa_majority")));
    }

    @Override
    public void onStep(Trainer.StepReport r) {
        if (r.step() % every == 0 || r.step() == r.totalSteps() || r.step() == 1) {
            out.println(r.line());
        }
    }

    @Override
    public void onEvaluation(long step, Map<String, Double> m) {
        out.printf("val @ step %d: %s%n", step, validation.apply(m));
    }

    @Override
    public void onResume(String line) {
        out.println(line);
    }

    /** One line per split of the final evaluation. */
    static String summary(String split, SplitRetrieval r) {
        StringBuilder sb = new StringBuilder(String.format("%s: %d images, %d captions | R@1 i2t %.3f t2i %.3f (ITC)",
                split, r.images(), r.texts(), r.itc().imageToText(1), r.itc().textToImage(1)));
        if (r.rerankK() > 0) {
            boolean subset = r.reranked().imageQueries() < r.images();
            sb.append(String.format(", i2t %.3f t2i %.3f (ITC+ITM top-%d%s)", r.reranked().imageToText(1),
                    r.reranked().textToImage(1), r.rerankK(), subset ? String.format(" on the first %d images and %d"
                            + " captions as queries", r.reranked().imageQueries(), r.reranked().textQueries()) : ""));
        }
        sb.append(String.format(" | chance %.4f / %.4f", r.chance().imageToText(1), r.chance().textToImage(1)));
        sb.append(String.format(Locale.ROOT, " | true captions: R@1 i2t %.3f t2i %.3f (best ranking), chance %.4f / %.4f",
                r.truth().reranked().imageToText(1), r.truth().reranked().textToImage(1),
                r.truth().chance().imageToText(1), r.truth().chance().textToImage(1)));
        return sb.toString();
    }

    /** The binding benchmark in one line: accuracy over all foils per scorer, and the slowest part. */
    static String binding(SplitBinding b) {
        org.qformerlab.blip2.eval.Binding.Row all = b.binding().row(null);
        return String.format(Locale.ROOT, "binding (%s, %d foils): ITC %.3f ITM %.3f ITG %.3f (chance 0.5), %.1f s",
                b.split().name().toLowerCase(Locale.ROOT), all.count(),
                all.accuracy().get(org.qformerlab.blip2.eval.PairScorer.Scorer.ITC),
                all.accuracy().get(org.qformerlab.blip2.eval.PairScorer.Scorer.ITM),
                all.accuracy().get(org.qformerlab.blip2.eval.PairScorer.Scorer.ITG), b.seconds());
    }
}
