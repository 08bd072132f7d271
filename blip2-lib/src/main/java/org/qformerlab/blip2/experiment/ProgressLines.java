package org.qformerlab.blip2.experiment;

import java.io.PrintStream;
import java.util.Map;
import org.qformerlab.blip2.train.Trainer;

/** The console's view of a run: a step line every {@code logEvery} steps, one line per validation. */
final class ProgressLines implements Trainer.Listener {

    private final PrintStream out;
    private final int every;

    ProgressLines(PrintStream out, int every) {
        this.out = out;
        this.every = every;
    }

    @Override
    public void onStep(Trainer.StepReport r) {
        if (r.step() % every == 0 || r.step() == r.totalSteps() || r.step() == 1) {
            out.println(r.line());
        }
    }

    @Override
    public void onEvaluation(long step, Map<String, Double> m) {
        out.printf("val @ step %d: R@1 i2t %.3f t2i %.3f, R@5 i2t %.3f t2i %.3f (ITC; chance R@1 %.3f / %.3f)%n",
                step, m.get("val_i2t_r1_itc"), m.get("val_t2i_r1_itc"), m.get("val_i2t_r5_itc"),
                m.get("val_t2i_r5_itc"), m.get("val_i2t_r1_chance"), m.get("val_t2i_r1_chance"));
    }

    /** One line per split of the final evaluation. */
    static String summary(String split, SplitRetrieval r) {
        StringBuilder sb = new StringBuilder(String.format("%s: %d images, %d captions | R@1 i2t %.3f t2i %.3f (ITC)",
                split, r.images(), r.texts(), r.itc().imageToText(1), r.itc().textToImage(1)));
        if (r.rerankK() > 0) {
            sb.append(String.format(", i2t %.3f t2i %.3f (ITC+ITM top-%d)", r.reranked().imageToText(1),
                    r.reranked().textToImage(1), r.rerankK()));
        }
        sb.append(String.format(" | chance %.4f / %.4f", r.chance().imageToText(1), r.chance().textToImage(1)));
        return sb.toString();
    }
}
