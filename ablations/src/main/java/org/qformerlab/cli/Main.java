package org.qformerlab.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * {@code qformerlab <verb> [options]}: the command line of QFormer Lab. Verbs are found with
 * {@link ServiceLoader} (META-INF/services/org.qformerlab.cli.Verb), one class each.
 */
public final class Main {

    private Main() {}

    public static void main(String[] argv) {
        System.setProperty("ai.djl.offline", "true");
        System.exit(run(argv));
    }

    /** Runs a command line and returns its exit code (used by tests). */
    public static int run(String[] argv) {
        Map<String, Verb> verbs = verbs();
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help")) {
            System.out.println(help(verbs));
            return argv.length == 0 ? 2 : 0;
        }
        Verb verb = verbs.get(argv[0]);
        if (verb == null) {
            System.err.println("unknown verb '" + argv[0] + "'\n\n" + help(verbs));
            return 2;
        }
        Args args = new Args(java.util.Arrays.copyOfRange(argv, 1, argv.length));
        if (args.has("help")) {
            System.out.println(verb.usage());
            return 0;
        }
        try {
            return verb.run(args, System.out);
        } catch (Args.UsageException e) {
            System.err.println("qformerlab " + verb.name() + ": " + e.getMessage() + "\n\n" + verb.usage());
            return 2;
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("qformerlab " + verb.name() + ": " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println("qformerlab " + verb.name() + " failed: " + e);
            return 1;
        }
    }

    static Map<String, Verb> verbs() {
        Map<String, Verb> out = new LinkedHashMap<>();
        for (Verb v : ServiceLoader.load(Verb.class)) {
            out.put(v.name(), v);
        }
        return out;
    }

    static String help(Map<String, Verb> verbs) {
        StringBuilder sb = new StringBuilder("usage: qformerlab <verb> [options]   (qformerlab <verb> --help for details)\n\nverbs:\n");
        for (Verb v : verbs.values()) {
            sb.append(String.format("  %-12s %s%n", v.name(), v.summary()));
        }
        return sb.toString();
    }

    /** For verbs: the known verb names (tests). */
    static List<String> verbNames() {
        return List.copyOf(verbs().keySet());
    }
}
