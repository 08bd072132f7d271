package org.qformerlab.blip2.experiment.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.train.MetricsLog;

/**
 * How each loss term moved during training: its mean over the first and over the last
 * {@code window} steps of the metrics log (single steps are too noisy to compare).
 *
 * @param window steps averaged at each end
 * @param first term -> mean over the first window
 * @param last term -> mean over the last window
 */
public record LossSummary(int window, Map<String, Double> first, Map<String, Double> last) {

    /** The loss terms a stage-1 log may hold, in the order reports show them. */
    public static final List<String> TERMS = List.of("itc", "itm", "itg", "total");

    /** Reads the training rows (not the evaluation rows) of a metrics log. */
    public static LossSummary read(Path metricsFile) {
        List<Map<String, Object>> rows;
        try {
            rows = MetricsLog.read(metricsFile).stream().filter(r -> !r.containsKey("eval")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metricsFile + ": " + e.getMessage(), e);
        }
        int window = Math.max(1, Math.min(25, rows.size() / 5));
        Map<String, Double> first = new LinkedHashMap<>();
        Map<String, Double> last = new LinkedHashMap<>();
        for (String term : TERMS) {
            double[] values = MetricsLog.series(rows, "step", term)[1];
            if (values.length > 0) {
                first.put(term, mean(values, 0, Math.min(window, values.length)));
                last.put(term, mean(values, Math.max(0, values.length - window), values.length));
            }
        }
        return new LossSummary(window, first, last);
    }

    /** Whether every term's last-window mean is below its first-window mean. */
    public boolean everyTermFell() {
        return first.keySet().stream().allMatch(t -> last.get(t) < first.get(t));
    }

    private static double mean(double[] v, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += v[i];
        }
        return sum / (to - from);
    }
}
