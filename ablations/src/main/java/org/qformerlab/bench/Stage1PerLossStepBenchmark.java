package org.qformerlab.bench;

/**
 * The preset's stage-1 step ({@code train.perLossMoments}): the same forward pass as
 * {@link Stage1StepBenchmark}, then a backward pass, clipping and AdamW moments for each of the
 * three losses and one update. Beside {@code stage1-step} it measures what the extra passes cost.
 */
public final class Stage1PerLossStepBenchmark extends Stage1StepBenchmark {

    public Stage1PerLossStepBenchmark() {
        super(true);
    }
}
