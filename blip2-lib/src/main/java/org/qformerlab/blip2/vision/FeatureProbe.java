package org.qformerlab.blip2.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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

/**
 * How much of a scene the frozen features encode, by linear probe: from each image's features
 * (the class token, when there is one, and the mean patch token of each cell of the 3x3 grid,
 * {@link GridCells}, concatenated) a ridge regression predicts which colours,
 * shapes, sizes and grid positions occur and how many objects there are. It is fitted on one list of
 * shapes-world samples and scored on another as exact-set accuracy per attribute (the predicted set
 * of colours equals the true set, and so on), next to the accuracy of always guessing the most
 * frequent set of the fitting data. Per object it also predicts, at the object's own cell, its
 * colour, shape and size ({@code object_colour}, {@code object_shape}, {@code object_size}: accuracy
 * over the objects, beside the most frequent value). The Q-Former can only align with captions what the features
 * carry; this says what they carry before it tries.
 *
 * <p>Features of {@code g*g + 1} tokens per image are read as [class token ; g x g patches] (a ViT),
 * features of {@code g*g} tokens as patches alone ({@link org.qformerlab.blip2.vision.PatchPixels}).
 * The ridge regression runs in the engine in float64, in its primal form (a d x d system) when the
 * inputs are narrower than the fitting samples are many, else in its dual form (n x n), which gives
 * the same predictions: a 7,056-wide pixel-patch probe on 3,000 images takes seconds.
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

    /**
     * Per object, read at its own cell: its colour, shape and size (an arg-max over the cell's
     * outputs of each; offsets within a cell's block of {@link #OBJECT_BITS}). Unlike the sets above,
     * these say which colour goes with which shape where: "a red circle and a blue square" is not
     * "a blue circle and a red square".
     */
    private static final List<Group> OBJECT_GROUPS = List.of(
            new Group("object_colour", 0, Colour.values().length, true),
            new Group("object_shape", Colour.values().length, ShapeType.values().length, true),
            new Group("object_size", Colour.values().length + ShapeType.values().length, Size.values().length, true));

    private static final int OBJECT_BITS = Colour.values().length + ShapeType.values().length + Size.values().length;

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
        double[][] predicted = ridgePredict(standardise(x, mean, std), y,
                standardise(inputs(features, score, manager), mean, std), RIDGE * x.length, manager);
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
        int objectBlock = ATTRIBUTE_BITS + maxObjects;
        for (Group g : OBJECT_GROUPS) {
            int[] frequency = new int[g.size()];
            for (Sample s : fit) {
                for (SceneObject o : s.scene().objects()) {
                    frequency[objectValue(o, g)]++;
                }
            }
            int common = 0;
            for (int k = 1; k < g.size(); k++) {
                common = frequency[k] > frequency[common] ? k : common;
            }
            int objects = 0;
            int right = 0;
            int guessed = 0;
            for (int i = 0; i < score.size(); i++) {
                for (SceneObject o : score.get(i).scene().objects()) {
                    int at = objectBlock + o.position().ordinal() * OBJECT_BITS + g.offset();
                    int best = 0;
                    for (int k = 1; k < g.size(); k++) {
                        best = predicted[i][at + k] > predicted[i][at + best] ? k : best;
                    }
                    objects++;
                    right += best == objectValue(o, g) ? 1 : 0;
                    guessed += common == objectValue(o, g) ? 1 : 0;
                }
            }
            accuracy.put(g.name(), right / (double) objects);
            baseline.put(g.name(), guessed / (double) objects);
        }
        return new Result(accuracy, baseline);
    }

    private static int objectValue(SceneObject o, Group g) {
        return switch (g.name()) {
            case "object_colour" -> o.colour().ordinal();
            case "object_shape" -> o.shape().ordinal();
            default -> o.size().ordinal();
        };
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
            int cls = classTokens(tokens);
            int grid = (int) Math.round(Math.sqrt(tokens - cls));
            for (int i = 0; i < ids.length; i++) {
                double[] row = new double[(cls + cells) * d];
                int[] count = new int[cells];
                int base = i * tokens * d;
                for (int j = 0; j < cls * d; j++) {
                    row[j] = v[base + j];
                }
                for (int p = 0; p < tokens - cls; p++) {
                    int cell = GridCells.cellOf(p, grid);
                    count[cell]++;
                    int from = base + (p + cls) * d;
                    int to = (cls + cell) * d;
                    for (int j = 0; j < d; j++) {
                        row[to + j] += v[from + j];
                    }
                }
                for (int cell = 0; cell < cells; cell++) {
                    for (int j = 0; j < d && count[cell] > 0; j++) {
                        row[(cls + cell) * d + j] /= count[cell];
                    }
                }
                out[start + i] = row;
            }
        }
        return out;
    }

    /** 1 when {@code tokens} is a square plus one (a class token in front), 0 when it is a square. */
    static int classTokens(int tokens) {
        for (int cls = 1; cls >= 0; cls--) {
            int grid = (int) Math.round(Math.sqrt(tokens - cls));
            if (tokens - cls >= 1 && grid * grid == tokens - cls) {
                return cls;
            }
        }
        throw new IllegalArgumentException("features of " + tokens + " tokens per image are neither a square grid of"
                + " patches nor a class token and a square grid: the probe cannot tell where each patch lies");
    }

    private static double[][] targets(List<Sample> samples, int maxObjects) {
        int objectBlock = ATTRIBUTE_BITS + maxObjects;
        double[][] y = new double[samples.size()][objectBlock + Position.values().length * OBJECT_BITS];
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
                int cell = objectBlock + o.position().ordinal() * OBJECT_BITS;
                y[i][cell + o.colour().ordinal()] = 1;
                y[i][cell + shapes + o.shape().ordinal()] = 1;
                y[i][cell + sizes + o.size().ordinal()] = 1;
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

    /**
     * Ridge regression fitted on (A, Y) and applied to B: {@code B (A^T A + lambda I)^-1 A^T Y}, or
     * equally {@code B A^T (A A^T + lambda I)^-1 Y}, whichever system is smaller; float64, in the engine.
     */
    static double[][] ridgePredict(double[][] a, double[][] y, double[][] b, double lambda, NDManager manager) {
        int n = a.length;
        int d = a[0].length;
        try (NDManager s = manager.newSubManager()) {
            NDArray fit = s.create(flat(a), new Shape(n, d));
            NDArray targets = s.create(flat(y), new Shape(n, y[0].length));
            NDArray scored = s.create(flat(b), new Shape(b.length, d));
            NDArray out;
            if (d <= n) {
                NDArray gram = fit.transpose().matMul(fit).add(s.eye(d, d, 0, DataType.FLOAT64).mul(lambda));
                out = scored.matMul(gram.inverse().matMul(fit.transpose().matMul(targets)));
            } else {
                NDArray kernel = fit.matMul(fit.transpose()).add(s.eye(n, n, 0, DataType.FLOAT64).mul(lambda));
                out = scored.matMul(fit.transpose()).matMul(kernel.inverse().matMul(targets));
            }
            double[] v = out.toDoubleArray();
            int t = y[0].length;
            double[][] rows = new double[b.length][t];
            for (int i = 0; i < b.length; i++) {
                System.arraycopy(v, i * t, rows[i], 0, t);
            }
            return rows;
        }
    }

    private static double[] flat(double[][] rows) {
        int w = rows[0].length;
        double[] out = new double[rows.length * w];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * w, w);
        }
        return out;
    }
}
