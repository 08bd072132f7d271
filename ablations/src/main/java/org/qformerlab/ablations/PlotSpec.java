package org.qformerlab.ablations;

import java.util.List;

/**
 * The figures of a study's report. Left out, {@code bars} and {@code vsAxis} draw every collected
 * metric and {@code lossCurves} draws nothing.
 *
 * @param bars metrics drawn as bars (mean over seeds, standard deviation as error bars), one bar per
 *     variant
 * @param vsAxis metrics drawn against each numeric axis (e.g. recall vs query count)
 * @param lossCurves keys of the runs' {@code metrics.jsonl} drawn against {@code step}, one line per
 *     variant (mean over seeds), e.g. {@code total}
 */
public record PlotSpec(List<String> bars, List<String> vsAxis, List<String> lossCurves) {
}
