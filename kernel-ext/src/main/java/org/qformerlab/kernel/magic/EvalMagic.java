package org.qformerlab.kernel.magic;

import java.util.List;

/**
 * {@code %eval retrieval|caption|vqa [RUN_DIR] [--split S --examples N]}: evaluates a trained run
 * and shows the numbers as a table. Each evaluation is a {@link MagicTask} listed in
 * {@link #standard()}: retrieval and binding read a stage-1 run, captioning and VQA a stage-2 run.
 */
public final class EvalMagic implements Magic {

    private final Tasks tasks;
    private final MagicSpec spec;

    public EvalMagic(List<MagicTask> evaluations) {
        this.tasks = new Tasks(evaluations);
        this.spec = new MagicSpec("eval", false, tasks.choices() + " [RUN_DIR]",
                "evaluate the last trained run (or a run folder): retrieval, binding, captioning or VQA as a table",
                """
                Shows how well a trained run does, as tables. Without RUN_DIR it takes the last run that
                %train made in this notebook (stage 1 for retrieval and binding, stage 2 for caption and vqa); with
                it, the run folder's results.json. Evaluations:"""
                        + tasks.describe(),
                List.of(
                        MagicOption.valued("split", "S", "only this split (test, compositional)"),
                        MagicOption.valued("examples", "N", "also draw the first N test images with their top"
                                + " captions, generated captions (caption: 4 unless told) or answers")),
                List.of("%eval retrieval", "%eval retrieval --split test --examples 4",
                        "%eval retrieval runs/notebook/stage1-20250101-120000", "%eval binding", "%eval caption", "%eval vqa --examples 2"));
    }

    /** Retrieval and binding (stage 1), captioning and VQA (stage 2). */
    public static EvalMagic standard() {
        return new EvalMagic(List.of(new RetrievalEval(), new BindingEval(), new CaptionEval(), new VqaEval()));
    }

    @Override
    public MagicSpec spec() {
        return spec;
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) throws Exception {
        tasks.run(args, context);
    }
}
