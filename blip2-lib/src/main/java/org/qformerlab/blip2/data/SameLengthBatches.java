package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Prompts for generation in batches whose rows all have one length, so that no padding enters a
 * prompt (generation from a left-aligned padded batch would read the padding as text).
 */
public final class SameLengthBatches {

    private SameLengthBatches() {}

    /**
     * {@code items} grouped by {@code length}, shortest first, each group cut into batches of at
     * most {@code batch}; within a group the items keep their order.
     */
    public static <T> List<List<T>> of(List<T> items, ToIntFunction<T> length, int batch) {
        Map<Integer, List<T>> byLength = new TreeMap<>();
        for (T item : items) {
            byLength.computeIfAbsent(length.applyAsInt(item), k -> new ArrayList<>()).add(item);
        }
        List<List<T>> out = new ArrayList<>();
        for (List<T> group : byLength.values()) {
            for (int from = 0; from < group.size(); from += batch) {
                out.add(group.subList(from, Math.min(group.size(), from + batch)));
            }
        }
        return out;
    }
}
