package org.qformerlab.blip2.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.config.BlockMask.Block;

/** The three ways a config writes a branch's mask, and the rules a mask must keep. */
class MaskConfigTest {

    private static ObjectiveConfig parse(String yaml) {
        return Configs.parse(yaml, ObjectiveConfig.class, ObjectiveConfig.blip2(), "test.yaml");
    }

    private static String refused(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void blip2HasThePapersThreeMasks() {
        ObjectiveConfig c = ObjectiveConfig.blip2();
        assertEquals(StandardMask.UNIMODAL, c.itcMask());
        assertEquals(StandardMask.BIDIRECTIONAL, c.itmMask());
        assertEquals(StandardMask.MULTIMODAL_CAUSAL, c.itgMask());
        assertFalse(c.itgLeakyGeneration());
    }

    @Test
    void standardMasksReadByNameAndOldFilesStillLoad() {
        assertEquals(StandardMask.BIDIRECTIONAL, parse("itcMask: BIDIRECTIONAL").itcMask());
        assertEquals(StandardMask.UNIMODAL, parse("itmMask: uni-modal").itmMask());
        assertEquals(StandardMask.MULTIMODAL_CAUSAL, parse("itgMask: multimodal causal").itgMask());
        // a config.json written before itmMask/itgMask existed (files are read over the defaults)
        ObjectiveConfig old = parse("""
                {"itcWeight": 1, "itmWeight": 1, "itgWeight": 1, "itcLabelSmoothing": 0.1, "itgLabelSmoothing": 0.1,
                 "clampTemperature": false, "itcMask": "BIDIRECTIONAL", "itmNegatives": "HARD",
                 "itmExcludeFalseNegatives": false}""");
        assertEquals(ObjectiveConfig.blip2().withItcMask(StandardMask.BIDIRECTIONAL), old);
        // and a record made in code without them gets BLIP-2's
        ObjectiveConfig nulls = new ObjectiveConfig(1, 1, 1, 0.1, 0.1, false, null, null, null, false, null, false);
        assertEquals(ObjectiveConfig.blip2(), nulls);
        String unknown = refused("itcMask: SIDEWAYS");
        assertTrue(unknown.contains("itcMask: unknown mask 'SIDEWAYS'") && unknown.contains("MULTIMODAL_CAUSAL"), unknown);
    }

    @Test
    void blockRulesReadAsWrittenAndMeanWhatTheySay() {
        ObjectiveConfig c = parse("""
                itgMask:
                  name: text-only generation
                  rules:
                    queries->queries: all
                    queries->text: none
                    text->queries: none
                    text->text: causal
                """);
        BlockMask m = (BlockMask) c.itgMask();
        assertEquals("text-only generation", m.label());
        assertEquals(new BlockMask("text-only generation", Block.ALL, Block.NONE, Block.NONE, Block.CAUSAL), m);
        // rows q0 q1 t0 t1 t2 ; columns the same
        assertArrayEquals(new boolean[][] {
            {true, true, false, false, false},
            {true, true, false, false, false},
            {false, false, true, false, false},
            {false, false, true, true, false},
            {false, false, true, true, true}}, m.matrix(2, 3));
        // self: each position sees only itself within its group
        BlockMask self = new BlockMask(null, Block.SELF, Block.NONE, Block.ALL, Block.SELF);
        assertArrayEquals(new boolean[][] {
            {true, false, false, false},
            {false, true, false, false},
            {true, true, true, false},
            {true, true, false, true}}, self.matrix(2, 2));
        // the standard masks written as rules are the same matrices
        assertArrayEquals(StandardMask.UNIMODAL.matrix(3, 4),
                new BlockMask(null, Block.ALL, Block.NONE, Block.NONE, Block.ALL).matrix(3, 4));
        assertArrayEquals(StandardMask.MULTIMODAL_CAUSAL.matrix(3, 4),
                new BlockMask(null, Block.ALL, Block.NONE, Block.ALL, Block.CAUSAL).matrix(3, 4));
    }

    @Test
    void aMatrixReadsAsStringsOrBooleans() {
        ObjectiveConfig strings = parse("""
                itmMask:
                  name: queries read the first word
                  matrix:
                    - "##|#.."
                    - "##|#.."
                    - "##|###"
                    - "##|###"
                    - "##|###"
                """);
        MatrixMask m = (MatrixMask) strings.itmMask();
        assertEquals(List.of("###..", "###..", "#####", "#####", "#####"), m.rows());
        assertFalse(m.allows(0, 3, 2, 3));
        assertTrue(m.allows(0, 2, 2, 3));
        ObjectiveConfig lists = parse("itmMask: {name: queries read the first word, matrix: "
                + "[[1,1,1,0,0],[1,1,1,0,0],[true,true,true,true,true],[1,1,1,1,1],[1,1,1,1,1]]}");
        assertEquals(m, lists.itmMask());
        String bad = refused("itmMask: {matrix: [\"#x\", \"##\"]}");
        assertTrue(bad.contains("itmMask: mask matrix row 0 ('#x') has 'x'"), bad);
        String notSquare = refused("itmMask: {matrix: [\"###\", \"###\"]}");
        assertTrue(notSquare.contains("row 0 has 3 columns but the matrix has 2 rows"), notSquare);
    }

    @Test
    void everyFormSurvivesAJsonRoundTrip() {
        ObjectiveConfig c = ObjectiveConfig.blip2().toBuilder()
                .itcMask(StandardMask.BIDIRECTIONAL)
                .itgMask(new BlockMask("mine", Block.CAUSAL, Block.NONE, Block.ALL, Block.SELF))
                .itmMask(MatrixMask.of(null, StandardMask.BIDIRECTIONAL.matrix(1, 2)))
                .build();
        String json = Configs.toJson(c);
        assertTrue(json.contains("\"itcMask\" : \"BIDIRECTIONAL\""), json);
        assertTrue(json.contains("\"queries->text\" : \"none\""), json);
        assertTrue(json.contains("\"matrix\" : [ \"###\", \"###\", \"###\" ]"), json);
        assertEquals(c, Configs.parse(json, ObjectiveConfig.class, ObjectiveConfig.blip2(), "round trip"));
        assertEquals(c, ConfigPaths.with(ObjectiveConfig.blip2(), Map.of(
                "itcMask", "BIDIRECTIONAL",
                "itgMask", Map.of("name", "mine", "rules", Map.of("queries->queries", "causal",
                        "queries->text", "none", "text->queries", "all", "text->text", "self")),
                "itmMask", Map.of("matrix", List.of("###", "###", "###")))));
    }

    @Test
    void aFileReplacesACustomMaskWholeInsteadOfMergingIntoIt() {
        ObjectiveConfig rules = parse("itmMask: {name: mine, rules: {queries->queries: all, queries->text: none,"
                + " text->queries: all, text->text: all}}");
        ObjectiveConfig matrix = Configs.parse("itmMask: {matrix: [\"###\", \"###\", \"###\"]}",
                ObjectiveConfig.class, rules, "over rules");
        assertEquals(new MatrixMask(null, List.of("###", "###", "###")), matrix.itmMask(), "no name or rules carried over");
        assertEquals(StandardMask.UNIMODAL, Configs.parse("itmMask: UNIMODAL", ObjectiveConfig.class, rules, "x").itmMask());
    }

    @Test
    void rulesThatCannotWorkAreRefusedWithTheRuleNamed() {
        String missing = refused("itcMask: {rules: {queries->queries: all, text->text: all, text->queries: none}}");
        assertTrue(missing.contains("itcMask: mask rules lack 'queries->text'"), missing);
        String crossCausal = refused("itcMask: {rules: {queries->queries: all, queries->text: causal,"
                + " text->queries: none, text->text: all}}");
        assertTrue(crossCausal.contains("'queries->text: causal': causal and self compare positions within one group"),
                crossCausal);
        String notABlock = refused("itcMask: {rules: {queries->queries: some, queries->text: none,"
                + " text->queries: none, text->text: all}}");
        assertTrue(notABlock.contains("'queries->queries: some' is not a block; write all, none, causal or self"), notABlock);
        String both = refused("itcMask: {rules: {}, matrix: []}");
        assertTrue(both.contains("either rules or matrix, not both"), both);
        String typo = refused("itcMask: {rule: {}}");
        assertTrue(typo.contains("unknown mask field 'rule'"), typo);
    }

    @Test
    void aPositionThatCanAttendNowhereIsRefused() {
        String blind = refused("itmMask: {rules: {queries->queries: all, queries->text: all,"
                + " text->queries: none, text->text: none}}");
        assertTrue(blind.contains("objective.itmMask") && blind.contains("position t0 may attend to nothing")
                && blind.contains("every position must be able to attend somewhere"), blind);
        // a text token that sees only later tokens would see nothing real where the text is padded
        String onlyLater = assertThrows(ConfigException.class, () -> ObjectiveConfig.blip2().withItmMask(
                new MatrixMask(null, List.of("#..", "..#", "###"))).checkMasks(1, 2)).getMessage();
        assertTrue(onlyLater.contains("objective.itmMask") && onlyLater.contains("position t0 may attend only to later"
                + " text tokens, which shorter texts pad away"), onlyLater);
    }

    @Test
    void aMatrixMustFitTheQFormersQueriesAndText() {
        ObjectiveConfig c = ObjectiveConfig.blip2().withItcMask(MatrixMask.of("two by three",
                StandardMask.UNIMODAL.matrix(2, 3)));
        c.checkMasks(2, 3);
        String e = assertThrows(ConfigException.class, () -> c.checkMasks(4, 3)).getMessage();
        assertEquals("objective.itcMask is a 5x5 matrix but [queries ; text] has qformer.numQueries=4"
                + " + qformer.maxTextLength=3 = 7 positions: write a 7x7 matrix, or block rules, which fit any size", e);
    }

    @Test
    void anItgMaskThatSeesTheFutureIsRefusedUnlessAskedFor() {
        String direct = refused("itgMask: BIDIRECTIONAL");
        assertTrue(direct.contains("objective.itgMask (bi-directional) lets text token t0 see the later token t1")
                && direct.contains("objective.itgLeakyGeneration: true"), direct);
        // text causal, but the queries read the whole text and the text reads the queries: a leak over two layers
        String indirect = refused("itgMask: {rules: {queries->queries: all, queries->text: all,"
                + " text->queries: all, text->text: causal}}");
        assertTrue(indirect.contains("lets text token t0 see the later token t1 (through q0)"), indirect);
        ObjectiveConfig leaky = parse("{itgMask: BIDIRECTIONAL, itgLeakyGeneration: true}");
        assertEquals(StandardMask.BIDIRECTIONAL, leaky.itgMask());
        // the same mask on ITM or ITC is no leak: they do not generate
        assertEquals(StandardMask.MULTIMODAL_CAUSAL, parse("itcMask: MULTIMODAL_CAUSAL").itcMask());
        String matrix = assertThrows(ConfigException.class, () -> ObjectiveConfig.blip2()
                .withItgMask(new MatrixMask(null, List.of("#...", "##.#", "###.", "####"))).checkMasks(1, 3)).getMessage();
        // t0 reads t2 directly, and through it t1
        assertTrue(matrix.contains("lets text token t0 see the later token t1 (through t2)"), matrix);
    }

    @Test
    void theBuilderNamesEveryFieldAndValidatesOnce() {
        ObjectiveConfig c = ObjectiveConfig.builder().itcWeight(0.5).itmWeight(0).itgLabelSmoothing(0)
                .itgMask(StandardMask.BIDIRECTIONAL).itgLeakyGeneration(true).itmNegatives(ItmNegatives.RANDOM)
                .itmExcludeFalseNegatives(true).clampTemperature(true).itcLabelSmoothing(0.2).itgWeight(2).build();
        assertEquals(new ObjectiveConfig(0.5, 0, 2, 0.2, 0, true, StandardMask.UNIMODAL, StandardMask.BIDIRECTIONAL,
                StandardMask.BIDIRECTIONAL, true, ItmNegatives.RANDOM, true), c);
        assertEquals(c, c.toBuilder().build());
        assertEquals(3.0, c.withItcWeight(3).itcWeight());
        assertEquals(ItmNegatives.HARD, c.withItmNegatives(ItmNegatives.HARD).itmNegatives());
        assertThrows(ConfigException.class, () -> ObjectiveConfig.builder().itgLeakyGeneration(false)
                .itgMask(StandardMask.BIDIRECTIONAL).build());
    }
}
