package org.qformerlab.kernel.magic;

import java.io.IOException;
import org.qformerlab.blip2.experiment.Stage2Result;
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

    /** The first {@code n} kept test examples, drawn with what the task generated for them. */
    abstract ImageGrid examples(Stage2Result result, int n);

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
