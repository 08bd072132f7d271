package org.qformerlab.blip2.data;

import java.util.Arrays;

/**
 * One text as token ids padded to a fixed length, with its attention mask (1 = real token,
 * 0 = padding). Arrays are compared by content.
 */
public record Encoding(int[] ids, int[] mask) {

    public Encoding {
        if (ids.length != mask.length) {
            throw new IllegalArgumentException("ids and mask differ in length: " + ids.length + " vs " + mask.length);
        }
    }

    /** Number of real (non-padding) tokens. */
    public int length() {
        return Arrays.stream(mask).sum();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding e && Arrays.equals(ids, e.ids) && Arrays.equals(mask, e.mask);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(mask);
    }

    @Override
    public String toString() {
        return "Encoding[ids=" + Arrays.toString(ids) + ", mask=" + Arrays.toString(mask) + "]";
    }
}
