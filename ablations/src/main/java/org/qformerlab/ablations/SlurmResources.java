package org.qformerlab.ablations;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What each task of a study's SLURM job array asks for, from the spec's {@code slurm:} section with
 * the command line's options laid over it ({@link #over}). Every field may be left out: the
 * cluster's defaults then apply (its default partition, memory per CPU and time limit).
 *
 * <pre>{@code
 * slurm:
 *   cpusPerTask: 4
 *   mem: 16G
 *   time: "2:00:00"
 *   partition: gpu
 *   gres: gpu:1
 *   arrayLimit: 8            # at most 8 runs at once (--array=0-N%8)
 *   sbatch: ["--qos=short"]  # more #SBATCH lines, as given
 *   setup: ["module load java/17"]
 * }</pre>
 *
 * @param cpusPerTask CPUs per run ({@code --cpus-per-task}); each run gets as many PyTorch threads.
 *     Left out: 1
 * @param mem memory per run ({@code --mem}), e.g. {@code 8G} or {@code 500M}
 * @param time time limit per run ({@code --time}): {@code minutes}, {@code h:mm:ss} or {@code d-hh:mm:ss}
 * @param partition the partition ({@code --partition})
 * @param account the account charged ({@code --account})
 * @param gres generic resources per run ({@code --gres}), e.g. {@code gpu:1} or {@code gpu:a100:1}
 * @param arrayLimit how many runs of the array may run at once (the {@code %N} of {@code --array})
 * @param sbatch further {@code #SBATCH} options, one per line ({@code --qos=short},
 *     {@code #SBATCH --qos=short}, or without the dashes, {@code qos=short})
 * @param setup shell lines run before the run's JVM starts, e.g. {@code module load java/17}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record SlurmResources(Integer cpusPerTask, String mem, String time, String partition, String account,
        String gres, Integer arrayLimit, List<String> sbatch, List<String> setup) {

    public SlurmResources {
        sbatch = sbatch == null ? List.of() : List.copyOf(sbatch);
        setup = setup == null ? List.of() : List.copyOf(setup);
    }

    /** Nothing asked for: the cluster's defaults, one CPU per run. */
    public static SlurmResources defaults() {
        return new SlurmResources(null, null, null, null, null, null, null, null, null);
    }

    /** CPUs per run, 1 unless given. */
    public int cpus() {
        return cpusPerTask == null ? 1 : cpusPerTask;
    }

    /**
     * These resources with every field {@code top} gives laid over them; {@code top}'s extra
     * {@code #SBATCH} and setup lines come after these.
     */
    public SlurmResources over(SlurmResources top) {
        return top == null ? this : new SlurmResources(
                top.cpusPerTask != null ? top.cpusPerTask : cpusPerTask,
                top.mem != null ? top.mem : mem,
                top.time != null ? top.time : time,
                top.partition != null ? top.partition : partition,
                top.account != null ? top.account : account,
                top.gres != null ? top.gres : gres,
                top.arrayLimit != null ? top.arrayLimit : arrayLimit,
                concat(sbatch, top.sbatch), concat(setup, top.setup));
    }

    public SlurmResources withCpusPerTask(Integer n) {
        return new SlurmResources(n, mem, time, partition, account, gres, arrayLimit, sbatch, setup);
    }

    public SlurmResources withMem(String m) {
        return new SlurmResources(cpusPerTask, m, time, partition, account, gres, arrayLimit, sbatch, setup);
    }

    public SlurmResources withTime(String t) {
        return new SlurmResources(cpusPerTask, mem, t, partition, account, gres, arrayLimit, sbatch, setup);
    }

    public SlurmResources withPartition(String p) {
        return new SlurmResources(cpusPerTask, mem, time, p, account, gres, arrayLimit, sbatch, setup);
    }

    public SlurmResources withAccount(String a) {
        return new SlurmResources(cpusPerTask, mem, time, partition, a, gres, arrayLimit, sbatch, setup);
    }

    public SlurmResources withGres(String g) {
        return new SlurmResources(cpusPerTask, mem, time, partition, account, g, arrayLimit, sbatch, setup);
    }

    public SlurmResources withArrayLimit(Integer n) {
        return new SlurmResources(cpusPerTask, mem, time, partition, account, gres, n, sbatch, setup);
    }

    public SlurmResources withSbatch(List<String> lines) {
        return new SlurmResources(cpusPerTask, mem, time, partition, account, gres, arrayLimit, lines, setup);
    }

    public SlurmResources withSetup(List<String> lines) {
        return new SlurmResources(cpusPerTask, mem, time, partition, account, gres, arrayLimit, sbatch, lines);
    }

    /**
     * Checks every field; {@code where} names the source in the message ({@code spec.yaml: slurm.} or
     * {@code --}).
     *
     * @throws IllegalArgumentException naming the field, the value and the form it needs
     */
    public void check(String where) {
        if (cpusPerTask != null && cpusPerTask < 1) {
            throw new IllegalArgumentException(where + name("cpusPerTask", where) + "=" + cpusPerTask + " must be at least 1");
        }
        if (arrayLimit != null && arrayLimit < 1) {
            throw new IllegalArgumentException(where + name("arrayLimit", where) + "=" + arrayLimit
                    + " must be at least 1 (it is how many runs may go at once)");
        }
        if (mem != null && !mem.matches("[0-9]+[KMGTkmgt]?")) {
            throw new IllegalArgumentException(where + "mem='" + mem + "' is not a SLURM memory size: give a whole"
                    + " number with an optional unit K, M, G or T, e.g. 8G or 500M");
        }
        if (time != null && !time.matches("([0-9]+-)?[0-9]+(:[0-9]{1,2}){0,2}")) {
            throw new IllegalArgumentException(where + "time='" + time + "' is not a SLURM time limit: give minutes"
                    + " (90), h:mm:ss (1:30:00) or days-hh:mm:ss (2-00:00:00)");
        }
        for (String[] f : new String[][] {{"partition", partition}, {"account", account}, {"gres", gres}}) {
            if (f[1] != null && !f[1].matches("[A-Za-z0-9_.:,=+-]+")) {
                throw new IllegalArgumentException(where + f[0] + "='" + f[1] + "' holds a character SLURM does not"
                        + " take there (spaces, quotes, newlines); give it as the cluster names it, e.g. gpu:1");
            }
        }
        for (String line : sbatch) {
            String option = option(line);
            if (line.contains("\n") || option.length() < 3) {
                throw new IllegalArgumentException(where + name("sbatch", where) + " line '" + line
                        + "' is not one sbatch option: write it as --qos=short (one option per line)");
            }
            if (option.startsWith("--array") || option.startsWith("-a ") || option.startsWith("--output")
                    || option.startsWith("-o ")) {
                throw new IllegalArgumentException(where + name("sbatch", where) + " line '" + line + "': the study sets"
                        + " --array and --output itself (one task per run, output under slurm/logs); limit the runs"
                        + " at once with arrayLimit");
            }
        }
        for (String line : setup) {
            if (line.contains("\n")) {
                throw new IllegalArgumentException(where + "setup line '" + line + "' holds a newline: give one line each");
            }
        }
    }

    /**
     * An extra line as the option it holds: without a leading {@code #SBATCH}, and with {@code --}
     * in front when it has no dash ({@code qos=short} is {@code --qos=short}).
     */
    static String option(String line) {
        String s = line.strip();
        s = s.startsWith("#SBATCH") ? s.substring("#SBATCH".length()).strip() : s;
        return s.startsWith("-") ? s : "--" + s;
    }

    /** The field as the source spells it: a spec's camel case, or the command line's dashed form. */
    private static String name(String field, String where) {
        return where.endsWith("--") ? field.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT) : field;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
