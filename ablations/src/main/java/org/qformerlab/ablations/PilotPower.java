package org.qformerlab.ablations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * The power a study will have, from a pilot: the spread {@code s_d} of the headline's paired
 * differences (each variant - the baseline) in the finished runs of an earlier, smaller or partial
 * run of the study, and from it the minimum detectable effect {@link Power#detectableEffect MDE(n)}
 * for a range of seed counts and the seeds a target MDE needs ({@link Power#seedsFor}).
 *
 * <p>The pilot is any study folder: its {@code runs/*}{@code /result.json} are matched to this spec's
 * variants by name and paired by seed, whatever config they ran with (a {@code --quick} run's
 * spread is a rough guide: fewer steps usually spread differently). With several variants the
 * largest spread — the hardest comparison — sets the table.
 *
 * @param folder the pilot study folder
 * @param metric the headline metric
 * @param baseline the baseline variant
 * @param spreads each other variant's paired spread against the baseline (only those with at least
 *     two paired seeds)
 */
public record PilotPower(Path folder, MetricSpec metric, String baseline, List<Spread> spreads) {

    /** The largest seed count of the printed table (it starts at 2). */
    public static final int TABLE_SEEDS = 12;

    /** The target MDE when none is given. */
    public static final double DEFAULT_TARGET = 0.02;

    /**
     * One variant's paired differences against the baseline in the pilot.
     *
     * @param variant the variant
     * @param pairs seeds it and the baseline both finished
     * @param sd sample standard deviation of the differences
     */
    public record Spread(String variant, int pairs, double sd) {
    }

    /**
     * Reads the pilot's finished runs.
     *
     * @throws IllegalArgumentException when the folder has no runs, none of this spec's variants, or
     *     no variant with two seeds paired with the baseline (the message says what to run)
     */
    public static PilotPower read(StudySpec spec, Path folder) throws IOException {
        Path runs = folder.resolve("runs");
        if (!Files.isDirectory(runs)) {
            throw new IllegalArgumentException("--pilot: " + runs + " does not exist: give a study folder that holds"
                    + " runs/<variant>-seed<k>/result.json (a finished or partial run of the study, e.g."
                    + " runs/ablations/" + spec.name() + "-quick)");
        }
        MetricSpec metric = spec.headlineMetric();
        String baseline = spec.baselineVariant();
        Map<String, Map<Long, Double>> bySeed = new LinkedHashMap<>();
        for (Variant v : spec.variants()) {
            bySeed.put(v.name(), new TreeMap<>());
        }
        try (Stream<Path> dirs = Files.list(runs)) {
            for (Path dir : dirs.sorted().toList()) {
                RunResult r = RunFiles.read(dir.resolve("result.json"), RunResult.class);
                Double x = r == null || !r.isOk() ? null : r.metrics().get(metric.name());
                if (x != null && !x.isNaN() && bySeed.containsKey(r.variant())) {
                    bySeed.get(r.variant()).put(r.seed(), x);
                }
            }
        }
        if (bySeed.values().stream().allMatch(Map::isEmpty)) {
            throw new IllegalArgumentException("--pilot: " + runs + " holds no finished run of this spec's variants "
                    + bySeed.keySet() + " with " + metric.name() + "; give the folder of a run of this study");
        }
        List<Spread> spreads = new ArrayList<>();
        for (Map.Entry<String, Map<Long, Double>> e : bySeed.entrySet()) {
            if (!e.getKey().equals(baseline)) {
                Headline.Pairs d = Headline.Pairs.of(e.getValue(), bySeed.get(baseline));
                if (d.n() >= 2) {
                    spreads.add(new Spread(e.getKey(), d.n(), d.sd()));
                }
            }
        }
        if (spreads.isEmpty()) {
            throw new IllegalArgumentException("--pilot: no variant in " + runs + " has 2 seeds paired with the baseline "
                    + baseline + " on " + metric.name() + " (finished seeds: " + seedCounts(bySeed) + "); the spread of"
                    + " the paired differences needs at least 2 seeds of the baseline and of another variant");
        }
        return new PilotPower(folder, metric, baseline, List.copyOf(spreads));
    }

    /** The spread that sets the table: the largest. */
    public Spread widest() {
        Spread w = spreads.get(0);
        for (Spread s : spreads) {
            if (s.sd() > w.sd()) {
                w = s;
            }
        }
        return w;
    }

    /** The minimum detectable effect at {@code n} seeds with the widest spread. */
    public double detectableEffect(int n) {
        return Power.detectableEffect(n, widest().sd());
    }

    /** The fewest seeds whose detectable effect is at most {@code target}, with the widest spread. */
    public int seedsFor(double target) {
        return Power.seedsFor(target, widest().sd());
    }

    /** Seeds 2..{@link #TABLE_SEEDS} and their detectable effect. */
    public Table table() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int n = 2; n <= TABLE_SEEDS; n++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("seeds", (double) n);
            row.put("MDE", detectableEffect(n));
            rows.add(row);
        }
        return Tables.fromRows("detectable effect by seeds", rows);
    }

    /**
     * What {@code --plan --pilot} prints: the spreads, the table, the detectable effect at the spec's
     * seed count and the seeds {@code target} needs.
     */
    public String text(int specSeeds, double target) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "power on %s (the headline), paired against the baseline %s, from the"
                + " pilot %s:%n", metric.name(), baseline, folder));
        out.append("  s_d of the paired differences (variant - baseline):");
        for (Spread s : spreads) {
            out.append(String.format(Locale.ROOT, " %s %s over %d seeds;", s.variant(), Tables.formatNumber(s.sd()),
                    s.pairs()));
        }
        out.setLength(out.length() - 1);
        out.append(System.lineSeparator());
        if (spreads.size() > 1) {
            out.append(String.format(Locale.ROOT, "  the table takes the largest, %s's%n", widest().variant()));
        }
        out.append(String.format(Locale.ROOT, "minimum detectable effect (two-sided 5%%, 80%% power) by seeds:%n"));
        out.append(Tables.toMarkdown(table()));
        out.append(String.format(Locale.ROOT, "at the spec's %d seed%s: %s%n", specSeeds, specSeeds == 1 ? "" : "s",
                specSeeds >= 2 ? "MDE " + Tables.formatNumber(detectableEffect(specSeeds))
                        : "no paired test (it needs at least 2 seeds)"));
        out.append(String.format(Locale.ROOT, "for MDE <= %s: %d seeds%n", Tables.formatNumber(target),
                seedsFor(target)));
        return out.toString();
    }

    private static String seedCounts(Map<String, Map<Long, Double>> bySeed) {
        List<String> out = new ArrayList<>();
        bySeed.forEach((v, seeds) -> out.add(v + " " + seeds.size()));
        return String.join(", ", out);
    }
}
