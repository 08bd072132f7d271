package org.qformerlab.kernel.magic;

import java.util.List;

/**
 * {@code %eval retrieval|caption|vqa [RUN_DIR] [--split S --examples N]}: evaluates a trained run
 * and shows the numbers as a table. Each evaluation is a {@link MagicTask}; captioning and VQA join
 * by replacing their {@link UnavailableTask} in {@link #standard()}.
 */
public final class EvalMagic implements Magic {

    private final Tasks tasks;
    private final MagicSpec spec;

    public EvalMagic(List<MagicTask> evaluations) {
        this.tasks = new Tasks(evaluations);
        this.spec = new MagicSpec("eval", false, tasks.choices() + " [RUN_DIR]",
                "evaluate the last trained run (or a run folder): retrieval recall@k as a table",
                """
                Shows how well a trained run does, as tables. Without RUN_DIR it takes the last run that
                %train made in this notebook; with it, the run folder's results.json. Evaluations:"""
                        + tasks.describe(),
                List.of(
                        MagicOption.valued("split", "S", "only this split (test, compositional)"),
                        MagicOption.valued("examples", "N", "also draw the first N test images with their top captions")),
                List.of("%eval retrieval", "%eval retrieval --split test --examples 4",
                        "%eval retrieval runs/notebook/stage1-20250101-120000"));
    }

    /** Retrieval; captioning and VQA are announced but not in this build yet. */
    public static EvalMagic standard() {
        String why = "they need a stage-2 model, which %train stage2 will make";
        return new EvalMagic(List.of(
                new RetrievalEval(),
                new UnavailableTask("caption", "captioning: BLEU-4 and CIDEr-D of generated captions", why),
                new UnavailableTask("vqa", "visual question answering: answer accuracy", why)));
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
