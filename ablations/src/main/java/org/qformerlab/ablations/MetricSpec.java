package org.qformerlab.ablations;

/**
 * A metric a study collects from each run, and which direction is better.
 *
 * @param name the key in the experiment's returned metrics, e.g. {@code i2t_r1}
 * @param better {@code higher} or {@code lower} (default higher)
 */
public record MetricSpec(String name, Better better) {

    public MetricSpec {
        better = better == null ? Better.HIGHER : better;
    }
}
