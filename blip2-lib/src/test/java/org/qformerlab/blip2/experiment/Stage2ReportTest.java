package org.qformerlab.blip2.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sentences the stage-2 report computes from its runs, against hand computations. */
class Stage2ReportTest {

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
}
