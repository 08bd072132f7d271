package org.qformerlab.kernel.magic;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.experiment.report.Stage2Result;
import org.qformerlab.blip2.report.ImageGrid;
import tech.tablesaw.api.Table;

/**
 * What {@code %eval caption} and {@code %eval vqa} share: find the stage-2 run (the last
 * {@code %train stage2} or a run folder), show its table, then {@code --examples N} test images
 * when the run kept some.
 */
abstract class Stage2EvalTask implements MagicTask {

    /** How many examples to draw when {@code --examples} is not given. */
    abstract int defaultExamples();

    /** The task's metrics of {@code run}. */
    abstract Table table(Stage2Runs run);

    /** What the task generated for one kept test example, as the caption under its image. */
    abstract String describe(Stage2Result.Example example);

    /** Caption lines an example may take under its image. */
    abstract int captionLines();

    /** The first {@code n} kept test examples, drawn with what the task generated for them. */
    final ImageGrid examples(Stage2Result result, int n) {
        List<BufferedImage> images = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (Stage2Result.Example e : result.examples().subList(0, Math.min(n, result.examples().size()))) {
            images.add(e.sample().image());
            captions.add(describe(e));
        }
        return ImageGrid.of(images).captions(captions).columns(Math.min(images.size(), 4)).cellSize(160)
                .maxCaptionLines(captionLines());
    }

    @Override
    public final void run(MagicArgs args, MagicContext context) throws IOException {
        Stage2Runs run = Stage2Runs.of(args, context);
        int examples = args.integer("examples", defaultExamples(), 0);
        context.display(table(run));
        if (examples == 0) {
            return;
        }
        if (run.result() == null) {
            context.println("examples need a run trained in this notebook (a run folder keeps them in report.md)");
        } else if (run.result().examples().isEmpty()) {
            context.println("the run kept no examples (stage2.examples = 0); train with --set stage2.examples=4");
        } else {
            context.display(examples(run.result(), examples));
        }
    }
}
