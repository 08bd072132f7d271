package org.qformerlab.blip2.train;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.testing.TinyStage1;

/**
 * The child JVM that {@link KilledTrainingTest} kills: a tiny stage-1 run that writes a checkpoint
 * after every step and resumes from its run folder's latest one. Prints {@code ready} once the engine
 * and the model are up (training starts next), the resume line when it resumes, {@code step N} after
 * each step's update (its checkpoint is being written from then on) and {@code finished} at the end.
 *
 * <p>Arguments: the run folder, the number of steps.
 */
public final class CheckpointingChild {

    private CheckpointingChild() {}

    static TrainConfig config(int steps) {
        return new TrainConfig(steps, 4, 1e-3, 5, 0.1, 0.05, 0.9, 0.999, 1e-8, 1.0, 3, 0, 1, 1000, "cpu");
    }

    public static void main(String[] args) {
        Path run = Path.of(args[0]);
        int steps = Integer.parseInt(args[1]);
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            System.out.println("ready");
            System.out.flush();
            Trainer.Listener lines = new Trainer.Listener() {
                @Override
                public void onStep(Trainer.StepReport report) {
                    System.out.println("step " + report.step()); // its checkpoint is written next
                    System.out.flush();
                }

                @Override
                public void onResume(String line) {
                    System.out.println(line);
                }
            };
            new Trainer(config(steps), model, run, Map.of()).withLossWeights(ObjectiveConfig.blip2().weights())
                    .run(task.step(model, ObjectiveConfig.blip2()), null, lines, true);
        }
        System.out.println("finished");
    }
}
