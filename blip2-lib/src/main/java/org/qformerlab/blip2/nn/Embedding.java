package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.training.initializer.NormalInitializer;

/** A lookup table of learned vectors, one row per id (token ids, positions). */
public final class Embedding extends Module {

    private final int rows;
    private final ai.djl.nn.Parameter weight;

    public Embedding(int rows, int dim) {
        this.rows = rows;
        this.weight = parameter("weight", new Shape(rows, dim), new NormalInitializer(0.02f));
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
