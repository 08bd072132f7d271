package org.qformerlab.kernel.magic;

import java.util.List;

/**
 * What a magic accepts, written once and used twice: to parse a call ({@link MagicArgs}) and to
 * explain the magic ({@code %help name}).
 *
 * @param name the magic's name without percent signs
 * @param cell true for a cell magic ({@code %%name}, the rest of the cell is its body)
 * @param positionals the positional arguments as shown in the usage line ({@code [preset]})
 * @param summary one line for the {@code %help} list
 * @param description a paragraph for {@code %help name}
 * @param options the accepted options
 * @param examples calls to copy
 */
public record MagicSpec(
        String name,
        boolean cell,
        String positionals,
        String summary,
        String description,
        List<MagicOption> options,
        List<String> examples) {

    public MagicSpec {
        options = List.copyOf(options);
        examples = List.copyOf(examples);
    }

    /** {@code %qformer [preset] [--queries N] [--layers L] ...}. */
    public String usage() {
        StringBuilder sb = new StringBuilder(cell ? "%%" : "%").append(name);
        if (!positionals.isBlank()) {
            sb.append(' ').append(positionals);
        }
        for (MagicOption o : options) {
            sb.append(" [").append(o.usage()).append(']');
        }
        if (cell) {
            sb.append("\n<body: the rest of the cell>");
        }
        return sb.toString();
    }

    /** The full help text. */
    public String help() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: ").append(usage()).append("\n\n").append(description).append('\n');
        if (!options.isEmpty()) {
            sb.append("\noptions:\n");
            int width = options.stream().mapToInt(o -> o.usage().length()).max().orElse(0);
            for (MagicOption o : options) {
                sb.append(String.format("  %-" + width + "s  %s%n", o.usage(), o.help()));
            }
        }
        if (!examples.isEmpty()) {
            sb.append("\nexamples:\n");
            examples.forEach(e -> sb.append("  ").append(e.replace("\n", "\n  ")).append('\n'));
        }
        return sb.toString();
    }

    public MagicOption option(String name) {
        return options.stream().filter(o -> o.name().equals(name)).findFirst().orElse(null);
    }
}
