package org.qformerlab.blip2.data;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * A generated shapes world: its config, its held-out (colour, shape) combinations and its four
 * splits. Immutable; images are rendered on demand by each {@link Sample}.
 */
public final class ShapesDataset {

    private final ShapesWorldConfig config;
    private final SortedSet<ColourShape> heldOut;
    private final Map<Split, List<Sample>> splits;

    ShapesDataset(ShapesWorldConfig config, SortedSet<ColourShape> heldOut, Map<Split, List<Sample>> splits) {
        this.config = config;
        this.heldOut = heldOut;
        this.splits = new EnumMap<>(splits);
    }

    /** The config this world was generated from. */
    public ShapesWorldConfig config() {
        return config;
    }

    /** The combinations that only the compositional split shows. */
    public SortedSet<ColourShape> heldOut() {
        return heldOut;
    }

    /** The samples of a split, in generation order (ids ascending). */
    public List<Sample> split(Split split) {
        return splits.get(split);
    }

    /** Total number of samples over all splits. */
    public int size() {
        return splits.values().stream().mapToInt(List::size).sum();
    }

    /**
     * Every caption, question and answer of every split: the closed vocabulary of the world, for
     * {@link WordTokenizer#fromTexts}. The vocabulary is closed and tiny, so building it from all
     * splits reveals nothing about the held-out data beyond which words exist.
     */
    public List<String> texts() {
        List<String> texts = new ArrayList<>();
        for (List<Sample> samples : splits.values()) {
            for (Sample s : samples) {
                texts.addAll(s.captions());
                for (QA qa : s.qas()) {
                    texts.add(qa.question());
                    texts.add(qa.answer());
                }
            }
        }
        return texts;
    }
}
