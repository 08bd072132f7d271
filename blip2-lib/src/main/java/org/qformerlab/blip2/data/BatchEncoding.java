package org.qformerlab.blip2.data;

/**
 * Several texts encoded to the same length: {@code ids[i]} and {@code mask[i]} are text i's
 * {@link Encoding}, ready to become {@code [B, T]} tensors.
 */
public record BatchEncoding(int[][] ids, int[][] mask) {

    public BatchEncoding {
        if (ids.length != mask.length) {
            throw new IllegalArgumentException("ids and mask differ in batch size: " + ids.length + " vs " + mask.length);
        }
    }

    /** Number of texts. */
    public int size() {
        return ids.length;
    }

    /** The ids flattened row by row as int64, for {@code NDManager.create(long[], Shape)}. */
    public long[] flatIds() {
        return flatten(ids);
    }

    /** The mask flattened row by row as int64. */
    public long[] flatMask() {
        return flatten(mask);
    }

    private static long[] flatten(int[][] rows) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        long[] flat = new long[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < width; j++) {
                flat[i * width + j] = rows[i][j];
            }
        }
        return flat;
    }
}
