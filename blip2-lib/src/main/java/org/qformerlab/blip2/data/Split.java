package org.qformerlab.blip2.data;

/**
 * The four splits of the shapes world. {@code TRAIN}, {@code VAL} and {@code TEST} are drawn from
 * the same distribution; {@code COMPOSITIONAL} shows (colour, shape) combinations that the other
 * three never contain (see {@link CompositionalHoldout}).
 */
public enum Split {
    TRAIN,
    VAL,
    TEST,
    COMPOSITIONAL;

    /**
     * Whether the split is used for evaluation; scene descriptions are unique within such a split,
     * so a retrieval hit can be defined as "any caption of the same sample".
     */
    public boolean isEvaluation() {
        return this != TRAIN;
    }
}
