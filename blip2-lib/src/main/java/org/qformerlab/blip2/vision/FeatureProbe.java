package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.data.Colour;
import org.qformerlab.blip2.data.Position;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.SceneObject;
import org.qformerlab.blip2.data.ShapeType;
import org.qformerlab.blip2.data.Size;
import org.qformerlab.blip2.experiment.ImageFeatures;

/**
 * How much of a scene the frozen features encode, by linear probe: from each image's features
 * (class token and the mean patch token of each cell of a 3x3 grid, concatenated) a ridge
 * regression predicts which colours,
 * shapes, sizes and grid positions occur and how many objects there are. It is fitted on one list of
 * shapes-world samples and scored on another as exact-set accuracy per attribute (the predicted set
 * of colours equals the true set, and so on), next to the accuracy of always guessing the most
 * frequent set of the fitting data. The Q-Former can only align with captions what the features
 * carry; this says what they carry before it tries.
 */
public final class FeatureProbe {

    private static final double RIDGE = 1e-2;

    private FeatureProbe() {}

    /** Per attribute: probe accuracy and the most-frequent-answer baseline on the scored samples. */
    public record Result(Map<String, Double> accuracy, Map<String, Double> baseline) {}

    private record Group(String name, int offset, int size, boolean oneHot) {}

    private static final List<Group> GROUPS = List.of(
            new Group("colours", 0, Colour.values().length, false),
            new Group("shapes", Colour.values().length, ShapeType.values().length, false),
            new Group("sizes", Colour.values().length + ShapeType.values().length, Size.values().length, false),
            new Group("positions", Colour.values().length + ShapeType.values().length + Size.values().length,
                    Position.values().length, false));

    private static final int ATTRIBUTE_BITS = Colour.values().length + ShapeType.values().length + Size.values().length
            + Position.values().length;

    /** Fits on {@code fit}, scores on {@code score}; both must be shapes-world samples (with scenes). */
    public static Result run(ImageFeatures features, List<Sample> fit, List<Sample> score, int maxObjects, NDManager manager) {
        double[][] x = inputs(features, fit, manager);
        double[][] y = targets(fit, maxObjects);
        int d = x[0].length;
        // standardise the inputs (statistics of the fitting data), append a constant
        double[] mean = new double[d];
        double[] std = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / x.length;
            }
        }
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                std[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / x.length;
            }
        }
        for (int j = 0; j < d; j++) {
            std[j] = Math.sqrt(std[j]) + 1e-6;
        }
        double[][] a = standardise(x, mean, std);
        double[][] w = ridge(a, y, RIDGE * a.length);
        double[][] predicted = multiply(standardise(inputs(features, score, manager), mean, std), w);
        double[][] truth = targets(score, maxObjects);

        Map<String, Double> accuracy = new LinkedHashMap<>();
        Map<String, Double> baseline = new LinkedHashMap<>();
        List<Group> groups = new ArrayList<>(GROUPS);
        groups.add(new Group("count", ATTRIBUTE_BITS, maxObjects, true));
        for (Group g : groups) {
            String common = mostFrequent(y, g);
            int right = 0;
            int guessed = 0;
            for (int i = 0; i < truth.length; i++) {
                String t = answer(truth[i], g);
                right += t.equals(answer(predicted[i], g)) ? 1 : 0;
                guessed += t.equals(common) ? 1 : 0;
            }
            accuracy.put(g.name(), right / (double) truth.length);
            baseline.put(g.name(), guessed / (double) truth.length);
        }
        return new Result(accuracy, baseline);
    }

    /**
     * [class token ; mean patch token of each cell of a 3x3 grid over the image] of every sample,
     * fetched in batches: the grid keeps where things are, which one mean over all patches would lose.
     */
    private static double[][] inputs(ImageFeatures features, List<Sample> samples, NDManager manager) {
        double[][] out = new double[samples.size()][];
        int cells = Position.GRID * Position.GRID;
        for (int start = 0; start < samples.size(); start += 256) {
            int end = Math.min(samples.size(), start + 256);
            int[] ids = samples.subList(start, end).stream().mapToInt(Sample::id).toArray();
            float[] v;
            int tokens;
            int d;
            try (NDManager scope = manager.newSubManager()) {
                NDArray f = features.get(scope, ids);
                tokens = (int) f.getShape().get(1);
                d = (int) f.getShape().get(2);
                v = f.toFloatArray();
            }
            int grid = (int) Math.round(Math.sqrt(tokens - 1));
            for (int i = 0; i < ids.length; i++) {
                double[] row = new double[(1 + cells) * d];
                int[] count = new int[cells];
                int base = i * tokens * d;
                for (int j = 0; j < d; j++) {
                    row[j] = v[base + j];
                }
                for (int p = 0; p < tokens - 1; p++) {
                    int cell = (p / grid) * Position.GRID / grid * Position.GRID + (p % grid) * Position.GRID / grid;
                    count[cell]++;
                    int from = base + (p + 1) * d;
                    int to = (1 + cell) * d;
                    for (int j = 0; j < d; j++) {
                        row[to + j] += v[from + j];
                    }
                }
                for (int cell = 0; cell < cells; cell++) {
                    for (int j = 0; j < d && count[cell] > 0; j++) {
                        row[(1 + cell) * d + j] /= count[cell];
                    }
                }
                out[start + i] = row;
            }
        }
        return out;
    }

    private static double[][] targets(List<Sample> samples, int maxObjects) {
        double[][] y = new double[samples.size()][ATTRIBUTE_BITS + maxObjects];
        int shapes = Colour.values().length;
        int sizes = shapes + ShapeType.values().length;
        int positions = sizes + Size.values().length;
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            if (!s.hasScene()) {
                throw new IllegalArgumentException("sample " + s.id() + " has no scene: the probe needs shapes-world samples");
            }
            for (SceneObject o : s.scene().objects()) {
                y[i][o.colour().ordinal()] = 1;
                y[i][shapes + o.shape().ordinal()] = 1;
                y[i][sizes + o.size().ordinal()] = 1;
                y[i][positions + o.position().ordinal()] = 1;
            }
            y[i][ATTRIBUTE_BITS + Math.min(maxObjects, s.scene().size()) - 1] = 1;
        }
        return y;
    }

    /** The predicted set of a group (bits above 0.5), or the arg-max for a one-hot group, as text. */
    private static String answer(double[] row, Group g) {
        StringBuilder sb = new StringBuilder();
        if (g.oneHot()) {
            int best = 0;
            for (int k = 1; k < g.size(); k++) {
                best = row[g.offset() + k] > row[g.offset() + best] ? k : best;
            }
            return Integer.toString(best);
        }
        for (int k = 0; k < g.size(); k++) {
            sb.append(row[g.offset() + k] > 0.5 ? '1' : '0');
        }
        return sb.toString();
    }

    private static String mostFrequent(double[][] y, Group g) {
        Map<String, Integer> counts = new HashMap<>();
        for (double[] row : y) {
            counts.merge(answer(row, g), 1, Integer::sum);
        }
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private static double[][] standardise(double[][] x, double[] mean, double[] std) {
        double[][] a = new double[x.length][mean.length + 1];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < mean.length; j++) {
                a[i][j] = (x[i][j] - mean[j]) / std[j];
            }
            a[i][mean.length] = 1;
        }
        return a;
    }

    /** W = (A^T A + lambda I)^-1 A^T Y by Cholesky. */
    private static double[][] ridge(double[][] a, double[][] y, double lambda) {
        int d = a[0].length;
        int t = y[0].length;
        double[][] g = new double[d][d];
        double[][] b = new double[d][t];
        for (int i = 0; i < a.length; i++) {
            double[] r = a[i];
            for (int j = 0; j < d; j++) {
                double rj = r[j];
                double[] gj = g[j];
                for (int k = 0; k <= j; k++) {
                    gj[k] += rj * r[k];
                }
                for (int k = 0; k < t; k++) {
                    b[j][k] += rj * y[i][k];
                }
            }
        }
        for (int j = 0; j < d; j++) {
            for (int k = 0; k < j; k++) {
                g[k][j] = g[j][k];
            }
            g[j][j] += lambda;
        }
        double[][] l = new double[d][d]; // G = L L^T
        for (int j = 0; j < d; j++) {
            for (int k = 0; k <= j; k++) {
                double s = g[j][k];
                for (int m = 0; m < k; m++) {
                    s -= l[j][m] * l[k][m];
                }
                l[j][k] = j == k ? Math.sqrt(s) : s / l[k][k];
            }
        }
        double[][] w = new double[d][t];
        for (int c = 0; c < t; c++) {
            double[] z = new double[d];
            for (int j = 0; j < d; j++) { // L z = b
                double s = b[j][c];
                for (int m = 0; m < j; m++) {
                    s -= l[j][m] * z[m];
                }
                z[j] = s / l[j][j];
            }
            for (int j = d - 1; j >= 0; j--) { // L^T w = z
                double s = z[j];
                for (int m = j + 1; m < d; m++) {
                    s -= l[m][j] * w[m][c];
                }
                w[j][c] = s / l[j][j];
            }
        }
        return w;
    }

    private static double[][] multiply(double[][] a, double[][] w) {
        double[][] out = new double[a.length][w[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < w.length; j++) {
                double v = a[i][j];
                for (int k = 0; k < w[0].length; k++) {
                    out[i][k] += v * w[j][k];
                }
            }
        }
        return out;
    }
}
