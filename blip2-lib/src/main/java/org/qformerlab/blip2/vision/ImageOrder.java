package org.qformerlab.blip2.vision;

import java.util.SplittableRandom;

/** Shuffled passes over n images, one after another: batches never straddle two passes. */
final class ImageOrder {
    private final SplittableRandom rng;
    private final int[] order;
    private int next;

    ImageOrder(int n, SplittableRandom rng) {
        this.rng = rng;
        this.order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        this.next = n;
    }

    int[] next(int batch) {
        int size = Math.min(batch, order.length);
        if (next + size > order.length) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            next = 0;
        }
        int[] rows = new int[size];
        System.arraycopy(order, next, rows, 0, size);
        next += size;
        return rows;
    }
}
