package org.qformerlab.blip2.experiment.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.data.QA;
import org.qformerlab.blip2.data.QuestionType;
import org.qformerlab.blip2.eval.VqaAccuracy;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.Stage2Init;

/** The sentences the stage-2 report computes from its runs, against hand computations. */
class Stage2ReportTest {

    @Test
    void theBridgeLineSaysWhetherTheBridgeWasSizedToABudget() {
        ExperimentConfig c = ExperimentConfig.tiny().with(Map.of("stage2.init", "SCRATCH", "stage2.bridge.type", "perceiver"));
        assertEquals("A Perceiver Resampler's 4 latents (2 layers, width 32)", Stage2Report.bridgeLine(c));
        ExperimentConfig sized = c.with("stage2.bridge.parameterBudget", 20000);
        assertEquals("A Perceiver Resampler's 4 latents (2 layers, width sized to 20,000 trainable parameters)",
                Stage2Report.bridgeLine(sized));
        assertEquals("Attentional pooling's 4 queries (one cross-attention, width sized to 20,000 trainable parameters)",
                Stage2Report.bridgeLine(sized.with("stage2.bridge.type", "attentional-pooling")));
    }

    @Test
    void headStartComparesTheFirstAndTheLastTenthOfTheSteps() {
        // 20 steps; stage 1 logs loss = 1 / step, scratch logs 2 at every step but step 20 (1.0)
        double[] steps = new double[20];
        double[] stage1 = new double[20];
        double[] scratch = new double[20];
        for (int i = 0; i < 20; i++) {
            steps[i] = i + 1;
            stage1[i] = 1.0 / (i + 1);
            scratch[i] = i == 19 ? 1.0 : 2.0;
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("stage 1", new double[][] {steps, stage1});
        series.put("scratch", new double[][] {steps, scratch});
        // first tenth = steps 1-2: stage 1 (1 + 1/2) / 2 = 0.75, scratch 2; last tenth = 19-20:
        // stage 1 (1/19 + 1/20) / 2 = 0.05132, scratch (2 + 1) / 2 = 1.5
        assertEquals("Mean LM loss over the first tenth of the steps (1-2): stage 1 0.750, scratch 2.000;"
                + " over the last tenth (19-20): stage 1 0.051, scratch 1.500.", Stage2Report.headStartSentence(series, 20));
    }

    @Test
    void equalStepsCompareOnlyTheStepsBothRunsMeasured() {
        double[][] stage1 = {{300, 600, 900, 1200}, {0.90, 1.00, 0.70, 1.30}};
        double[][] scratch = {{300, 600, 1200, 1500}, {0.80, 1.05, 1.30, 1.40}};
        // shared steps 300, 600 and 1200: ahead at 300, behind at 600, level at 1200;
        // mean difference (0.10 - 0.05 + 0) / 3 = +0.017
        assertEquals("CIDEr-D: stage 1 ahead of scratch at 1, level at 1, behind at 1 of 3 equal steps (mean difference"
                        + " +0.017); at step 300 0.900 against 0.800, at step 1200 1.300 against 1.300.",
                Stage2Report.equalStepsSentence("CIDEr-D", stage1, scratch));
        assertEquals("VQA: the two runs share no validation step.",
                Stage2Report.equalStepsSentence("VQA", new double[][] {{1}, {0.5}}, new double[][] {{2}, {0.5}}));
    }

    @Test
    void aRunShorterThanTenStepsComparesSingleSteps() {
        Map<String, double[][]> series = Map.of("stage 1", new double[][] {{1, 2, 3}, {3, 2, 1}});
        assertEquals("Mean LM loss over the first tenth of the steps (1-1): stage 1 3.000; over the last tenth (3-3):"
                + " stage 1 1.000.", Stage2Report.headStartSentence(series, 3));
    }

    /** A stage-2 result holding only what the VQA comparison reads: its init and its answers. */
    private static Stage2Result answered(Stage2Init init, String... answers) {
        ExperimentConfig c = ExperimentConfig.tiny();
        VqaAccuracy vqa = new VqaAccuracy(Map.of(QuestionType.COLOUR, "red"));
        for (String a : answers) {
            vqa.add(new QA("what colour is the circle?", "red", QuestionType.COLOUR), a);
        }
        return new Stage2Result(null, c.withStage2(c.stage2().withInit(init)), null, null, null, 0, 0, 0, null, vqa,
                null, List.of(), Map.of(), Map.of(), 0, null, null);
    }

    @Test
    void theTwoInitsAreComparedQuestionByQuestion() {
        // 8 questions: stage 1 right on 1-6, scratch right on 1-2 and 7: stage 1 gains 4 (3-6), loses 1 (7);
        // n = 5, min 1: p = 2 (1 + 5) / 32 = 0.375
        Stage2Result stage1 = answered(Stage2Init.STAGE1, "red", "red", "red", "red", "red", "red", "blue", "blue");
        Stage2Result scratch = answered(Stage2Init.SCRATCH, "red", "red", "blue", "blue", "blue", "blue", "red", "blue");
        assertEquals("Question by question (the same 8 questions): from stage 1 the model answered 4 right that the one"
                + " from scratch got wrong, and 1 the other way round; McNemar's exact p = 0.375, within what chance"
                + " would give.", Stage2Report.questionByQuestionSentence(List.of(stage1, scratch)));
        assertEquals("", Stage2Report.questionByQuestionSentence(List.of(stage1)), "one run: nothing to compare");
        assertEquals("", Stage2Report.questionByQuestionSentence(List.of(stage1, answered(Stage2Init.SCRATCH, "red"))),
                "different questions: nothing to compare");
    }
}
