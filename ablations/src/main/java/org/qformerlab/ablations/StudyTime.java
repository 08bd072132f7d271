package org.qformerlab.ablations;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;

/**
 * What a study cost in time, as its runs recorded it: the runs' own wall-clock seconds added up (each
 * run's {@code wallSeconds} in {@code result.json}, its last attempt), and the time from the first
 * run's start to the last run's end. A run's end is when its {@code result.json} was written (the file's
 * modification time) and its start that minus its wall seconds; with runs in parallel the elapsed time
 * is less than the sum. Runs without a {@code result.json} count in neither.
 *
 * @param runs runs with a recorded result (finished or failed)
 * @param runSeconds the sum of their wall seconds
 * @param elapsedSeconds first start to last end, in seconds ({@code NaN} without runs)
 */
record StudyTime(int runs, double runSeconds, double elapsedSeconds) {

    static StudyTime of(List<RunRecord> records) {
        int runs = 0;
        double sum = 0;
        double firstStart = Double.POSITIVE_INFINITY;
        double lastEnd = Double.NEGATIVE_INFINITY;
        for (RunRecord r : records) {
            if (!Files.isRegularFile(r.plan().resultFile())) {
                continue;
            }
            double end;
            try {
                end = Files.getLastModifiedTime(r.plan().resultFile()).toMillis() / 1000.0;
            } catch (IOException e) {
                continue; // gone since it was read: it counts in neither
            }
            double wall = Math.max(0, r.result().wallSeconds());
            runs++;
            sum += wall;
            firstStart = Math.min(firstStart, end - wall);
            lastEnd = Math.max(lastEnd, end);
        }
        return new StudyTime(runs, sum, runs == 0 ? Double.NaN : lastEnd - firstStart);
    }

    /**
     * "24 runs took 5 h 06 min in all (their wall time added up, from result.json); 2 h 35 min from
     * the first run's start to the last run's end (result.json file times)."
     */
    String sentence() {
        if (runs == 0) {
            return "no run has recorded a result yet.";
        }
        return String.format(Locale.ROOT, "%d run%s took %s in all (their wall time added up, from result.json);"
                + " %s from the first run's start to the last run's end (result.json file times).", runs,
                runs == 1 ? "" : "s", duration(runSeconds), duration(elapsedSeconds));
    }

    /** "45 s", "12 min 03 s", "5 h 06 min". */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        long minutes = Math.round(seconds / 60);
        return String.format(Locale.ROOT, "%d h %02d min", minutes / 60, minutes % 60);
    }
}
