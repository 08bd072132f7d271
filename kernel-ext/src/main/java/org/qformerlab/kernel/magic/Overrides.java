package org.qformerlab.kernel.magic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --set PATH=VALUE} options of a magic as an ordered map of dotted config paths to values
 * written as a config file would write them ({@code --set qformer.numQueries=8 --set
 * objective.itcMask=BIDIRECTIONAL}; several per option with {@code ;}).
 */
final class Overrides {

    private Overrides() {}

    static Map<String, String> of(MagicArgs args, String option) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String value : args.strings(option)) {
            for (String assignment : value.split(";")) {
                if (assignment.isBlank()) {
                    continue;
                }
                int eq = assignment.indexOf('=');
                if (eq <= 0) {
                    throw new MagicUsageException(args.spec(), "--" + option + " wants PATH=VALUE (e.g. train.steps=100),"
                            + " got '" + assignment + "'");
                }
                out.put(assignment.substring(0, eq).trim(), assignment.substring(eq + 1).trim());
            }
        }
        return out;
    }

    /** The paths of {@code overrides} as the one line a magic prints. */
    static String describe(Map<String, String> overrides) {
        List<String> parts = overrides.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        return String.join(", ", parts);
    }
}
