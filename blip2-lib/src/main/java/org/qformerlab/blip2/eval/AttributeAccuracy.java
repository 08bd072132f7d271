package org.qformerlab.blip2.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qformerlab.blip2.data.Colour;
import org.qformerlab.blip2.data.Relation;
import org.qformerlab.blip2.data.Scene;
import org.qformerlab.blip2.data.SceneObject;
import org.qformerlab.blip2.data.ShapeType;
import org.qformerlab.blip2.data.WordTokenizer;

/**
 * Whether generated captions are true of their images, checked against the scene behind each
 * synthetic image rather than against reference captions (n-gram metrics reward the right words in
 * the wrong places; this asks whether what was said holds). Three tallies over every caption added:
 *
 * <ul>
 *   <li><b>colour</b>: each colour word; right when the scene holds an object of that colour, and of
 *       the shape it modifies when it modifies one ("a red circle" needs a red circle);
 *   <li><b>shape</b>: each shape word (singular or plural); right when the scene holds that shape;
 *   <li><b>relation</b>: each "left of", "right of", "above", "below"; right when some object named by
 *       the mention before it and a different one named by the mention after it stand in that
 *       relation (a mention names every object of its shape, and colour when given).
 * </ul>
 *
 * Each accuracy is right mentions / mentions; NaN when a caption set never mentions the kind.
 */
public final class AttributeAccuracy {

    private final int[] right = new int[3];
    private final int[] total = new int[3];

    private static final int COLOUR = 0;
    private static final int SHAPE = 1;
    private static final int RELATION = 2;

    /** One object mention: a shape word with the colour right before it, if any. */
    private record Mention(Colour colour, ShapeType shape) {
        boolean names(SceneObject o) {
            return o.shape() == shape && (colour == null || o.colour() == colour);
        }
    }

    /** Checks one caption against its scene and adds to the tallies. */
    public AttributeAccuracy add(String caption, Scene scene) {
        List<String> words = WordTokenizer.tokenize(caption);
        List<Integer> mentionAt = new ArrayList<>();
        List<Mention> mentions = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            Colour colour = Colour.ofWord(words.get(i));
            if (colour != null) {
                ShapeType next = i + 1 < words.size() ? shape(words.get(i + 1)) : null;
                boolean ok = scene.objects().stream()
                        .anyMatch(o -> o.colour() == colour && (next == null || o.shape() == next));
                count(COLOUR, ok);
            }
            ShapeType shape = shape(words.get(i));
            if (shape != null) {
                count(SHAPE, scene.count(shape) > 0);
                mentionAt.add(i);
                mentions.add(new Mention(i > 0 ? Colour.ofWord(words.get(i - 1)) : null, shape));
            }
        }
        for (int i = 0; i < words.size(); i++) {
            Relation relation = Relation.startingAt(words, i);
            if (relation == null) {
                continue;
            }
            Mention before = null;
            Mention after = null;
            for (int m = 0; m < mentions.size(); m++) {
                if (mentionAt.get(m) < i) {
                    before = mentions.get(m);
                } else if (after == null && mentionAt.get(m) > i) {
                    after = mentions.get(m);
                }
            }
            count(RELATION, before != null && after != null
                    && relation.holdsBetween(scene, before::names, after::names));
        }
        return this;
    }

    /** Right colour mentions / colour mentions (NaN when none). */
    public double colour() {
        return ratio(COLOUR);
    }

    /** Right shape mentions / shape mentions (NaN when none). */
    public double shape() {
        return ratio(SHAPE);
    }

    /** Right relation mentions / relation mentions (NaN when none). */
    public double relation() {
        return ratio(RELATION);
    }

    /** Mentions checked: colour, shape, relation. */
    public int[] mentions() {
        return total.clone();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "colour %.3f (%d) shape %.3f (%d) relation %.3f (%d)", colour(), total[COLOUR],
                shape(), total[SHAPE], relation(), total[RELATION]);
    }

    private static ShapeType shape(String word) {
        ShapeType singular = ShapeType.ofWord(word, false);
        return singular != null ? singular : ShapeType.ofWord(word, true);
    }

    private void count(int kind, boolean ok) {
        total[kind]++;
        if (ok) {
            right[kind]++;
        }
    }

    private double ratio(int kind) {
        return total[kind] == 0 ? Double.NaN : right[kind] / (double) total[kind];
    }
}
