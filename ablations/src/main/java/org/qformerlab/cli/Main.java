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
        String verb = argv.length > 0 ? argv[0] : "";
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            String memory = outOfMemory(verb, e);
            if (memory == null) {
                System.err.println("qformerlab " + verb + ": thread " + thread.getName() + " failed: " + e);
            } else {
                System.err.println(memory);
                Runtime.getRuntime().halt(1);
            }
        });
        System.exit(run(argv));
    }

    /** Runs a command line and returns its exit code (used by tests). */
    public static int run(String[] argv) {
        return run(argv, verbs());
    }

    /** Runs a command line with the given verbs (tests give their own). */
    static int run(String[] argv, Map<String, Verb> verbs) {
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
        } catch (OutOfMemoryError e) {
            System.err.println(outOfMemory(verb.name(), e));
            return 1;
        } catch (Args.UsageException e) {
            System.err.println("qformerlab " + verb.name() + ": " + e.getMessage() + "\n\n" + verb.usage());
            return 2;
        } catch (Exception e) {
            String memory = outOfMemory(verb.name(), e);
            if (memory != null) {
                System.err.println(memory);
            } else if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                System.err.println("qformerlab " + verb.name() + ": " + e.getMessage());
            } else {
                System.err.println("qformerlab " + verb.name() + " failed: " + e);
            }
            return 1;
        }
    }

    /**
     * The one line for a run that ran out of memory, or null when {@code e} is something else:
     * the Java heap (or direct buffers, whose limit follows it) is raised with
     * {@code QFORMERLAB_JAVA_OPTS}; PyTorch's own memory is not Java's and needs a smaller run.
     */
    static String outOfMemory(String verb, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                long max = Runtime.getRuntime().maxMemory();
                long suggest = Math.max(2, (2 * max + (1L << 30) - 1) >> 30);
                return "qformerlab " + verb + ": out of memory (" + t.getMessage() + ", with a Java heap of at most "
                        + (max >> 20) + " MiB): raise it with QFORMERLAB_JAVA_OPTS, e.g. QFORMERLAB_JAVA_OPTS=-Xmx"
                        + suggest + "g ./qformerlab " + verb + " ...";
            }
            String m = t.getMessage();
            if (m != null && (m.contains("can't allocate memory") || m.contains("CUDA out of memory"))) {
                return "qformerlab " + verb + ": out of memory in PyTorch (" + m.lines().findFirst().orElse("").strip()
                        + "): tensors live outside the Java heap, so QFORMERLAB_JAVA_OPTS does not help; use a smaller"
                        + " batch or model, or free memory";
            }
        }
        return null;
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
