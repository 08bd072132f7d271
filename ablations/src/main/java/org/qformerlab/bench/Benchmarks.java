package org.qformerlab.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The registry of benchmarks: every {@link Benchmark} listed in
 * {@code META-INF/services/org.qformerlab.bench.Benchmark} (one class name a line). Adding a
 * measurement is one class and one line there.
 */
public final class Benchmarks {

    private Benchmarks() {}

    /** All registered benchmarks by name, in the order of the services file. */
    public static Map<String, Benchmark> all() {
        Map<String, Benchmark> out = new LinkedHashMap<>();
        for (Benchmark b : ServiceLoader.load(Benchmark.class)) {
            out.put(b.name(), b);
        }
        return out;
    }

    /** The benchmarks named in a comma-separated list ({@code null} or blank: all of them). */
    public static List<Benchmark> select(String names) {
        Map<String, Benchmark> all = all();
        if (names == null || names.isBlank()) {
            return new ArrayList<>(all.values());
        }
        List<Benchmark> out = new ArrayList<>();
        for (String n : names.split(",")) {
            Benchmark b = all.get(n.trim());
            if (b == null) {
                throw new IllegalArgumentException(
                        "unknown benchmark '" + n.trim() + "': choose from " + all.keySet());
            }
            out.add(b);
        }
        return out;
    }
}
