package org.qformerlab.blip2.config;

import static org.qformerlab.blip2.config.ConfigException.require;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A custom mask written as four block rules over the two groups of positions, queries and text,
 * each saying how one group may attend to the other (or to itself). It reads like the paper's
 * figure and fits any number of queries and any text length. In YAML:
 *
 * <pre>
 * itgMask:
 *   name: prefix-free generation     # optional, shown in drawings
 *   rules:
 *     queries->queries: all
 *     queries->text: none
 *     text->queries: none
 *     text->text: causal
 * </pre>
 *
 * @param name what to call the mask in drawings and messages (optional)
 * @param queriesToQueries how queries attend to queries
 * @param queriesToText how queries attend to text
 * @param textToQueries how text attends to queries
 * @param textToText how text attends to text
 */
public record BlockMask(
        String name, Block queriesToQueries, Block queriesToText, Block textToQueries, Block textToText)
        implements MaskSpec {

    /** How the positions of one group may attend to those of another. */
    public enum Block {
        /** every position of the row group sees every position of the column group */
        ALL,
        /** none does */
        NONE,
        /** within one group: position i sees positions 0..i */
        CAUSAL,
        /** within one group: position i sees itself only */
        SELF;

        @JsonValue
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean allows(int i, int j) {
            return switch (this) {
                case ALL -> true;
                case NONE -> false;
                case CAUSAL -> j <= i;
                case SELF -> i == j;
            };
        }
    }

    /** The four rule names, in the order they are written. */
    public static final List<String> RULES = List.of("queries->queries", "queries->text", "text->queries", "text->text");

    public BlockMask {
        Block[] blocks = {queriesToQueries, queriesToText, textToQueries, textToText};
        for (int k = 0; k < blocks.length; k++) {
            require(blocks[k] != null,
                    "mask rules lack '" + RULES.get(k) + "': give all four of " + RULES + " (all, none, causal or self)");
            boolean withinOneGroup = k == 0 || k == 3;
            require(withinOneGroup || blocks[k] == Block.ALL || blocks[k] == Block.NONE,
                    "mask rule '" + RULES.get(k) + ": " + blocks[k].text() + "': causal and self compare positions"
                            + " within one group; between queries and text write all or none");
        }
    }

    /** The rules as a map from rule name ({@code queries->text}) to block. */
    public Map<String, Block> rules() {
        Map<String, Block> out = new LinkedHashMap<>();
        out.put(RULES.get(0), queriesToQueries);
        out.put(RULES.get(1), queriesToText);
        out.put(RULES.get(2), textToQueries);
        out.put(RULES.get(3), textToText);
        return out;
    }

    /** From a map of rule names to blocks, as a config writes them. */
    static BlockMask of(String name, Map<String, Block> rules) {
        return new BlockMask(name, rules.get(RULES.get(0)), rules.get(RULES.get(1)), rules.get(RULES.get(2)),
                rules.get(RULES.get(3)));
    }

    /** This mask under another name (null: described by its rules). */
    public BlockMask withName(String name) {
        return new BlockMask(name, queriesToQueries, queriesToText, textToQueries, textToText);
    }

    /** This mask with another {@code queries->queries} rule. */
    public BlockMask withQueriesToQueries(Block block) {
        return new BlockMask(name, block, queriesToText, textToQueries, textToText);
    }

    /** This mask with another {@code queries->text} rule. */
    public BlockMask withQueriesToText(Block block) {
        return new BlockMask(name, queriesToQueries, block, textToQueries, textToText);
    }

    /** This mask with another {@code text->queries} rule. */
    public BlockMask withTextToQueries(Block block) {
        return new BlockMask(name, queriesToQueries, queriesToText, block, textToText);
    }

    /** This mask with another {@code text->text} rule. */
    public BlockMask withTextToText(Block block) {
        return new BlockMask(name, queriesToQueries, queriesToText, textToQueries, block);
    }

    @Override
    public String label() {
        if (name != null) {
            return name;
        }
        StringBuilder sb = new StringBuilder("rules");
        rules().forEach((rule, block) -> sb.append(' ').append(rule).append(':').append(block.text()));
        return sb.toString();
    }

    @Override
    public boolean allows(int row, int col, int numQueries, int textLength) {
        boolean queryRow = row < numQueries;
        boolean queryCol = col < numQueries;
        Block b = queryRow ? (queryCol ? queriesToQueries : queriesToText) : (queryCol ? textToQueries : textToText);
        return b.allows(queryRow ? row : row - numQueries, queryCol ? col : col - numQueries);
    }

    /** As a config writes it: {@code {name, rules: {queries->queries: all, ...}}}. */
    @JsonValue
    public Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (name != null) {
            out.put("name", name);
        }
        out.put("rules", rules());
        return out;
    }
}
