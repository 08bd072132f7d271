package org.qformerlab.kernel.magic;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.UserCache;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.experiment.TrainedStage1;
import org.qformerlab.blip2.experiment.report.Stage1Result;
import org.qformerlab.blip2.objectives.QueryAttention;
import org.qformerlab.blip2.report.AttentionOverlay;
import org.qformerlab.blip2.report.Heatmap;
import org.qformerlab.blip2.report.ImageGrid;

/**
 * {@code %attention [RUN_DIR] [--images 0,1] [--split test] [--layer L] [--checkpoint step-N]}: where
 * a trained stage-1 run's queries look. A grid of the chosen images (rows) by queries (columns), each
 * query's cross-attention over the image's patches tinted on the image; then, per image, the ITM
 * pass's self-attention between the queries and the caption's words as a labelled heatmap. The
 * weights are bound as a {@link QueryAttention} for Java.
 */
public final class AttentionMagic implements Magic {

    /** At most this many query columns are drawn (all are measured and bound). */
    static final int MAX_QUERY_COLUMNS = 8;

    private static final MagicSpec SPEC = new MagicSpec(
            "attention", false, "[RUN_DIR]",
            "draw where a trained run's queries look: cross-attention over the image, ITM attention to the words",
            """
            Reads the last %train stage1 run (or RUN_DIR) at its latest checkpoint (or --checkpoint) and
            shows, for the chosen images of a split (each with its first caption): a grid of images x
            queries, each query's cross-attention over the image's patches drawn in red on the image
            (averaged over the cross-attending layers, or --layer L's); and per image the ITM pass's
            self-attention between queries and words (row attends to column, averaged over layers or
            --layer L's). Weights are averaged over heads. Binds the arrays as a QueryAttention:
            cross()[layer][image][query][patch], self()[layer][image][row][column], crossEntropy().""",
            List.of(
                    MagicOption.valued("images", "I,J,...", "image indices in the split (default 0,1)"),
                    MagicOption.valued("split", "S", "split to take the images from (default test)"),
                    MagicOption.valued("layer", "L", "one layer instead of the average over layers"),
                    MagicOption.valued("checkpoint", "step-N", "a checkpoint folder of the run, or init for the weights before training (default the latest)"),
                    MagicOption.valued("as", "NAME", "variable to bind the QueryAttention to (default attention)")),
            List.of("%attention", "%attention --images 0,3 --layer 0", "%attention runs/notebook/stage1-20250101-120000"));

    @Override
    public MagicSpec spec() {
        return SPEC;
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) throws Exception {
        args.atMostPositionals(1);
        String variable = args.variable("as", "attention");
        Split split = split(args.string("split", "test"));
        int[] indices = indices(args.string("images", "0,1"));
        Path runDir = runDir(args.positional(0, null), context);
        String checkpoint = args.string("checkpoint", null);
        Integer layer = args.has("layer") ? args.integer("layer", 0, 0) : null;

        try (NDManager manager = NDManager.newBaseManager()) {
            ByteArrayOutputStream quiet = new ByteArrayOutputStream();
            TrainedStage1 trained;
            List<Sample> samples;
            try {
                trained = TrainedStage1.open(runDir, checkpoint, UserCache.folder(), manager, new PrintStream(quiet, true));
            } catch (ConfigException e) {
                throw new MagicUsageException(SPEC, e.getMessage());
            }
            try {
                samples = trained.images(split, indices);
            } catch (IllegalArgumentException e) { // an index out of range, named
                throw new MagicUsageException(SPEC, e.getMessage());
            }
            QueryAttention attention = trained.attention(manager, split, indices);
            int[] crossLayers = crossLayersShown(attention, layer, trained.config().qformer().numLayers());
            float[][][] cross = crossAt(attention, crossLayers);
            double[] entropy = attention.crossEntropy();
            context.println(String.format(Locale.ROOT, "Where the queries of %s (%s) look, %s images %s."
                            + " Cross-attention of layer%s %s (red = more weight); a query's entropy over the %d patches,"
                            + " per cross-attending layer: %s nats (uniform: %.2f).",
                    runDir.getFileName(), trained.checkpoint(), split.name().toLowerCase(Locale.ROOT),
                    join(indices), crossLayers.length > 1 ? "s" : "", join(crossLayers) + (crossLayers.length > 1
                            ? " averaged" : ""), attention.patches(),
                    Arrays.stream(entropy).mapToObj(h -> String.format(Locale.ROOT, "%.2f", h))
                            .collect(Collectors.joining(", ")), attention.uniformEntropy()));
            context.display(grid(samples, cross, indices));
            int q = attention.numQueries();
            for (int i = 0; i < samples.size(); i++) {
                String caption = samples.get(i).captions().get(0);
                List<String> labels = new ArrayList<>(Heatmap.labels("q", q));
                labels.addAll(trained.tokens(caption));
                float[][] itm = layer == null ? attention.itmMean(i) : trimmed(attention, layer, i);
                context.display(Heatmap.ofValues(itm).labels(labels).divideAt(q)
                        .title("ITM self-attention" + (layer == null ? " (mean over layers)" : " (layer " + layer + ")")
                                + ", image " + indices[i] + ": " + caption));
            }
            context.bind(variable, QueryAttention.class, attention);
        }
    }

    /** Images as rows: the image with its caption, then each query's cross-attention over it. */
    static ImageGrid grid(List<Sample> samples, float[][][] cross, int[] indices) {
        int queries = Math.min(cross[0].length, MAX_QUERY_COLUMNS);
        List<BufferedImage> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            BufferedImage image = samples.get(i).image();
            cells.add(image);
            captions.add("image " + indices[i] + ": " + samples.get(i).captions().get(0));
            for (int q = 0; q < queries; q++) {
                cells.add(AttentionOverlay.draw(image, cross[i][q]));
                captions.add(String.format(Locale.ROOT, "q%d: peak %.2fx uniform", q, peak(cross[i][q])));
            }
        }
        return ImageGrid.of(cells).captions(captions).columns(queries + 1).cellSize(96).maxCaptionLines(3);
    }

    /**
     * A query's largest weight over the uniform weight 1/P: 1 when it looks everywhere alike (then
     * every patch is tinted fully, the tint being relative to the largest weight), P when it looks at
     * one patch.
     */
    static double peak(float[] weights) {
        float max = 0;
        for (float w : weights) {
            max = Math.max(max, w);
        }
        return max * weights.length;
    }

    /** The cross-attending layers drawn: all, or {@code layer} when it cross-attends. */
    static int[] crossLayersShown(QueryAttention attention, Integer layer, int numLayers) {
        if (layer == null) {
            return attention.crossLayers();
        }
        if (layer >= numLayers) {
            throw new MagicUsageException(SPEC, "--layer " + layer + " is out of range: the Q-Former has " + numLayers
                    + " layers (0-" + (numLayers - 1) + ")");
        }
        if (Arrays.stream(attention.crossLayers()).noneMatch(l -> l == layer)) {
            throw new MagicUsageException(SPEC, "layer " + layer + " has no cross-attention; the cross-attending"
                    + " layers are " + join(attention.crossLayers()));
        }
        return new int[] {layer};
    }

    private static float[][][] crossAt(QueryAttention attention, int[] layers) {
        if (layers.length == attention.crossLayers().length) {
            return attention.crossMean();
        }
        int k = IntStream.range(0, attention.crossLayers().length)
                .filter(i -> attention.crossLayers()[i] == layers[0]).findFirst().orElseThrow();
        return attention.cross()[k];
    }

    private static float[][] trimmed(QueryAttention attention, int layer, int image) {
        int n = attention.numQueries() + attention.textLengths()[image];
        float[][] out = new float[n][];
        for (int r = 0; r < n; r++) {
            out[r] = Arrays.copyOf(attention.self()[layer][image][r], n);
        }
        return out;
    }

    private static Path runDir(String folder, MagicContext context) {
        if (folder != null) {
            return Path.of(folder);
        }
        return context.state().lastResult(Stage1Result.class).map(Stage1Result::runDir)
                .orElseThrow(() -> new MagicUsageException(SPEC,
                        "no stage-1 run in this notebook yet: run %train stage1 first, or name a run folder"));
    }

    static Split split(String name) {
        try {
            return Split.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new MagicUsageException(SPEC, "--split " + name + " is not a split; splits: "
                    + Arrays.stream(Split.values()).map(s -> s.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", ")));
        }
    }

    static int[] indices(String text) {
        try {
            int[] out = Arrays.stream(text.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            if (out.length == 0) {
                throw new NumberFormatException();
            }
            return out;
        } catch (NumberFormatException e) {
            throw new MagicUsageException(SPEC, "--images takes image indices like 0,1,2; got '" + text + "'");
        }
    }

    private static String join(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    }
}
