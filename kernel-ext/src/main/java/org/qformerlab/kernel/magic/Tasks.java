package org.qformerlab.kernel.magic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The tasks of a dispatching magic by name, and the dispatch: first word, then the task. */
final class Tasks {

    private final Map<String, MagicTask> byName = new LinkedHashMap<>();

    Tasks(List<MagicTask> tasks) {
        tasks.forEach(t -> byName.put(t.name(), t));
    }

    /** {@code stage1|stage2} for the usage line. */
    String choices() {
        return String.join("|", byName.keySet());
    }

    /** One line per task, for the magic's description. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        int width = byName.keySet().stream().mapToInt(String::length).max().orElse(0);
        byName.values().forEach(t -> sb.append(String.format("%n  %-" + width + "s  %s", t.name(), t.summary())));
        return sb.toString();
    }

    void run(MagicArgs args, MagicContext context) throws Exception {
        String name = args.positional(0, null);
        if (name == null) {
            throw new MagicUsageException(args.spec(), "say what to " + args.spec().name() + ": " + choices());
        }
        MagicTask task = byName.get(name);
        if (task == null) {
            throw new MagicUsageException(args.spec(), "unknown " + args.spec().name() + " task '" + name + "'; tasks: "
                    + String.join(", ", byName.keySet()));
        }
        task.run(args, context);
    }
}
