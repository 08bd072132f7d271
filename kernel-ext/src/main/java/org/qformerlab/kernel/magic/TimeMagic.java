package org.qformerlab.kernel.magic;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code %time STATEMENT} and {@code %%time}: runs the rest of the line (or the cell) as a cell would,
 * then prints how long it took, wall-clock and CPU of the cell thread, as IPython's {@code %time} does.
 * A last expression's value is still shown.
 */
public final class TimeMagic implements Magic {

    private static final MagicSpec SPEC = new MagicSpec(
            "time", false, "JAVA",
            "time a line of Java (%time) or a whole cell (%%time): wall and CPU time",
            """
            %time runs the Java after it, %%time the rest of the cell (Java and magics), then prints one
            line: wall-clock time and the CPU time of the notebook's thread (native PyTorch work on other
            threads is not in the CPU time). The value of a last expression is shown as usual.""",
            List.of(), List.of("%time IntStream.range(0, 1_000_000).sum()", "%%time\n%train stage1 --steps 20"));

    @Override
    public MagicSpec spec() {
        return SPEC;
    }

    @Override
    public boolean accepts(boolean cell) {
        return true;
    }

    @Override
    public boolean takesRawLine() {
        return true;
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) {
        if (body == null || body.isBlank()) {
            throw new MagicUsageException(SPEC, "nothing to time: write %time JAVA, or %%time with the code below it");
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        Optional<Object> value;
        try {
            value = context.shell().run(body);
        } finally {
            long wall = System.nanoTime() - wall0;
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            context.println(line(wall, cpu));
        }
        value.ifPresent(context::display);
    }

    /** {@code time: wall 1.23 s, cpu 1.20 s}; milliseconds below a second. */
    static String line(long wallNanos, long cpuNanos) {
        return "time: wall " + seconds(wallNanos) + ", cpu " + seconds(cpuNanos);
    }

    static String seconds(long nanos) {
        double s = nanos / 1e9;
        return s >= 1 ? String.format(Locale.ROOT, "%.2f s", s) : String.format(Locale.ROOT, "%.1f ms", s * 1000);
    }
}
