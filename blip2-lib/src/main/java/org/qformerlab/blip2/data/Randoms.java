package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Small helpers for seeded randomness. Every random choice in this package goes through a
 * {@link SplittableRandom} created from a derived seed, so the same master seed always gives the
 * same data, and each stream (a split, an epoch) is independent of how much the others consumed.
 */
final class Randoms {

    private Randoms() {
    }

    /** A well-mixed seed for stream {@code salt} of master seed {@code seed} (MurmurHash3's finaliser). */
    static long derive(long seed, long salt) {
        long z = seed ^ (salt * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    /** A random stream for stream {@code salt} of master seed {@code seed}. */
    static SplittableRandom stream(long seed, long salt) {
        return new SplittableRandom(derive(seed, salt));
    }

    /** A uniformly shuffled copy (Fisher-Yates). */
    static <T> List<T> shuffled(List<T> items, SplittableRandom rng) {
        List<T> list = new ArrayList<>(items);
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
        return list;
    }

    /** A uniformly chosen element of a non-empty list. */
    static <T> T pick(List<T> items, SplittableRandom rng) {
        return items.get(rng.nextInt(items.size()));
    }
}
