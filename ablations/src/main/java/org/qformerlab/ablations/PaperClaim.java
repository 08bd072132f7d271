package org.qformerlab.ablations;

/**
 * What the paper found, as a comparison the study can check: variant {@code better} beats variant
 * {@code worse} on {@code metric}. The report then says whether this run confirms the direction,
 * shows it only within the seed spread, or reverses it ({@link Verdict#againstPaper}).
 *
 * @param finding the paper's finding in words, with its source (e.g. "BLIP-2 Table 6: ...")
 * @param better the name of the variant the paper finds better (a label, or e.g. {@code numQueries=32})
 * @param worse the name of the variant it finds worse
 * @param metric the metric to compare them on; one of the study's metrics
 */
public record PaperClaim(String finding, String better, String worse, String metric) {
}
