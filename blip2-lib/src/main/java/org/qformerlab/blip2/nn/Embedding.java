package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.training.initializer.NormalInitializer;

/** A lookup table of learned vectors, one row per id (token ids, positions). */
public final class Embedding extends Module {

    private final int rows;
    private final ai.djl.nn.Parameter weight;

    /** Rows normal(0, 0.02), as BERT and OPT initialise them. */
    public Embedding(int rows, int dim) {
        this(rows, dim, Dense.BERT_STD);
    }

    /** Rows normal(0, {@code std}). */
    public Embedding(int rows, int dim, double std) {
        this.rows = rows;
        this.weight = parameter("weight", new Shape(rows, dim), new NormalInitializer((float) std));
    }

    /** ids: int64 of any shape; returns [..., dim]. */
    public NDArray forward(NDArray ids) {
        return ids.getNDArrayInternal()
                .embedding(ids, value(weight), SparseFormat.DENSE)
                .singletonOrThrow();
    }

    public NDArray weight() {
        return value(weight);
    }

    public int rows() {
        return rows;
    }
}
