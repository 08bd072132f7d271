package org.qformerlab.blip2.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qformerlab.blip2.data.SceneOracle.COLOUR;
import static org.qformerlab.blip2.data.SceneOracle.NUMBER;
import static org.qformerlab.blip2.data.SceneOracle.PLURAL;
import static org.qformerlab.blip2.data.SceneOracle.POSITION;
import static org.qformerlab.blip2.data.SceneOracle.RELATION;
import static org.qformerlab.blip2.data.SceneOracle.SHAPE;
import static org.qformerlab.blip2.data.SceneOracle.SIZE;
import static org.qformerlab.blip2.data.SceneOracle.matching;

/** Every caption must be true of its scene: checked by re-reading it against the scene. */
class CaptionsTest {

    private static final Pattern NOUN_PHRASE = Pattern.compile("\\b(?:" + SIZE + " )?" + COLOUR + " " + SHAPE + "\\b");
    private static final Pattern WITH_POSITION = Pattern.compile("\\b(?:" + SIZE + " )?" + COLOUR + " " + SHAPE + " " + POSITION);
    private static final Pattern RELATED = Pattern.compile("(?:" + SIZE + " )?" + COLOUR + " " + SHAPE
            + " (?:is )?" + RELATION + " an? (?:" + SIZE + " )?" + COLOUR + " " + SHAPE);
    private static final Pattern TOTAL = Pattern.compile("\\b" + NUMBER + " shapes?\\b");
    private static final Pattern PER_COLOUR = Pattern.compile("\\b(?:an?|" + NUMBER + ") " + COLOUR + " shapes?\\b");
    private static final Pattern PER_SHAPE = Pattern.compile("\\b" + NUMBER + " (?:" + SHAPE + "|" + PLURAL + ")\\b");

    private static List<Sample> samples;

    @BeforeAll
    static void generate() {
        ShapesDataset world = ShapesWorld.generate(ShapesWorldConfig.defaults(77).withCounts(1500, 200, 200, 200));
        samples = new ArrayList<>();
        for (Split split : Split.values()) {
            samples.addAll(world.split(split));
        }
    }

    @Test
    void colourAndShapeWordsAreThoseOfTheScene() {
        for (Sample s : samples) {
            for (String caption : s.captions()) {
                for (String word : WordTokenizer.tokenize(caption)) {
                    for (Colour c : Colour.values()) {
                        if (word.equals(c.word())) {
                            assertTrue(s.scene().count(c) > 0, "'" + caption + "' for " + s.scene());
                        }
                    }
                    for (ShapeType t : ShapeType.values()) {
                        if (word.equals(t.word()) || word.equals(t.plural())) {
                            assertTrue(s.scene().count(t) > 0, "'" + caption + "' for " + s.scene());
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyNamedObjectExistsWithItsSize() {
        int checked = 0;
        for (Sample s : samples) {
            for (String caption : s.captions()) {
                Matcher m = NOUN_PHRASE.matcher(caption);
                while (m.find()) {
                    assertEquals(1, matching(s.scene(), m.group(1), m.group(2), m.group(3)).size(),
                            "'" + m.group() + "' in '" + caption + "' for " + s.scene());
                    checked++;
                }
            }
        }
        assertTrue(checked > 5000, "checked " + checked);
    }

    @Test
    void positionsAreWhereTheObjectIs() {
        int checked = 0;
        for (Sample s : samples) {
            for (String caption : s.captions()) {
                Matcher m = WITH_POSITION.matcher(caption);
                while (m.find()) {
                    SceneObject o = matching(s.scene(), m.group(1), m.group(2), m.group(3)).get(0);
                    assertEquals(m.group(4), o.position().phrase(), "'" + caption + "' for " + s.scene());
                    checked++;
                }
            }
        }
        assertTrue(checked > 500, "checked " + checked);
    }

    @Test
    void relationsHold() {
        int checked = 0;
        for (Sample s : samples) {
            for (String caption : s.captions()) {
                Matcher m = RELATED.matcher(caption);
                if (m.find()) {
                    SceneObject a = matching(s.scene(), m.group(1), m.group(2), m.group(3)).get(0);
                    SceneObject b = matching(s.scene(), m.group(5), m.group(6), m.group(7)).get(0);
                    assertTrue(SceneOracle.relationHolds(m.group(4), a, b), "'" + caption + "' for " + s.scene());
                    checked++;
                }
            }
        }
        assertTrue(checked > 300, "checked " + checked);
    }

    @Test
    void countsAreRight() {
        Map<String, Integer> checked = new HashMap<>();
        for (Sample s : samples) {
            Scene scene = s.scene();
            for (String caption : s.captions()) {
                Matcher total = TOTAL.matcher(caption);
                while (total.find()) {
                    assertEquals(scene.size(), SceneOracle.number(total.group(1)), "'" + caption + "' for " + scene);
                    checked.merge("total", 1, Integer::sum);
                }
                Matcher perColour = PER_COLOUR.matcher(caption);
                while (perColour.find()) {
                    int n = perColour.group(1) == null ? 1 : SceneOracle.number(perColour.group(1));
                    assertEquals(scene.count(Colour.valueOf(perColour.group(2).toUpperCase())), n, "'" + caption + "' for " + scene);
                    checked.merge("colour", 1, Integer::sum);
                }
                Matcher perShape = PER_SHAPE.matcher(caption);
                while (perShape.find()) {
                    String noun = perShape.group(2) != null ? perShape.group(2) : SceneOracle.shapeFromPlural(perShape.group(3)).word();
                    assertEquals(scene.count(ShapeType.valueOf(noun.toUpperCase())), SceneOracle.number(perShape.group(1)),
                            "'" + caption + "' for " + scene);
                    checked.merge("shape", 1, Integer::sum);
                }
            }
        }
        assertTrue(checked.values().stream().allMatch(n -> n > 200) && checked.size() == 3, checked.toString());
    }

    @Test
    void captionsVaryAcrossTemplateFamilies() {
        int relation = 0;
        int position = 0;
        int count = 0;
        for (Sample s : samples) {
            for (String caption : s.captions()) {
                assertFalse(caption.isBlank());
                assertEquals(caption.strip().toLowerCase(), caption);
                relation += RELATED.matcher(caption).find() ? 1 : 0;
                position += WITH_POSITION.matcher(caption).find() ? 1 : 0;
                count += TOTAL.matcher(caption).find() || PER_SHAPE.matcher(caption).find() ? 1 : 0;
            }
        }
        int all = samples.size() * 4;
        assertTrue(relation > all / 20 && position > all / 10 && count > all / 10,
                "relation " + relation + ", position " + position + ", count " + count + " of " + all);
    }
}
