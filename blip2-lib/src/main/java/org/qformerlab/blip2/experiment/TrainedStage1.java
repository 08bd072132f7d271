package org.qformerlab.blip2.experiment;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.data.TextPadding;
import org.qformerlab.blip2.data.TextTensors;
import org.qformerlab.blip2.data.WordTokenizer;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.objectives.QueryAttention;
import org.qformerlab.blip2.nn.Seeds;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.train.Checkpoints;
import org.qformerlab.blip2.vision.ImageFeatures;

/**
 * A finished (or stopped) stage-1 run read back from its folder: the config as run, the tokenizer,
 * the Q-Former with a checkpoint's weights, the shapes world and the frozen image features (from the
 * feature cache, or recomputed). For looking inside a trained model after the run, e.g.
 * {@link #attention}.
 *
 * @param checkpoint the checkpoint whose weights the model holds: a folder name under
 *     {@code checkpoints/}, or {@link #INITIAL}
 */
public record TrainedStage1(Path runDir, String checkpoint, ExperimentConfig config, WordTokenizer tokenizer,
        Blip2QFormer model, ShapesDataset world, ImageFeatures features) {

    /**
     * The checkpoint name of the weights the run started from: the Q-Former drawn again from the
     * run's seed, as {@link Stage1Experiment} drew it (for comparing before and after training).
     */
    public static final String INITIAL = "init";

    /**
     * Opens a run folder at a checkpoint; the model and features live in {@code manager}.
     *
     * @param checkpoint a folder under {@code checkpoints/} (e.g. {@code step-000040}), {@link #INITIAL}
     *     for the weights before training, or null for the latest
     * @throws ConfigException naming the problem when the folder is not a stage-1 run with a checkpoint
     */
    public static TrainedStage1 open(Path runDir, String checkpoint, Path cacheRoot, NDManager manager, PrintStream log) {
        if (!Files.isDirectory(runDir)) {
            throw new ConfigException("no run folder " + runDir.toAbsolutePath() + "; name a folder that %train stage1"
                    + " or qformerlab train made (it holds config.json and checkpoints/)");
        }
        Path configFile = runDir.resolve("config.json");
        Path tokenizerFile = runDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(configFile) || !Files.isRegularFile(tokenizerFile)) {
            throw new ConfigException(runDir + " is not a stage-1 run folder: it lacks config.json or tokenizer.json");
        }
        Checkpoints checkpoints = new Checkpoints(runDir);
        Path dir = null;
        if (INITIAL.equals(checkpoint)) {
            // no folder: the weights are drawn again below
        } else if (checkpoint == null) {
            dir = checkpoints.latest();
            if (dir == null) {
                throw new ConfigException(runDir + " has no checkpoint yet; train it (or let it reach checkpointEvery)");
            }
        } else {
            dir = checkpoints.root().resolve(checkpoint);
            if (!Files.isDirectory(dir) || checkpoint.contains("/") || checkpoint.contains("\\")) {
                throw new ConfigException("no checkpoint " + checkpoint + " in " + checkpoints.root() + "; it has: "
                        + String.join(", ", checkpointNames(runDir)) + " (and " + INITIAL + ", the weights before training)");
            }
        }
        ExperimentConfig config = ExperimentConfig.read(configFile, ExperimentConfig.tiny());
        WordTokenizer tokenizer;
        try {
            tokenizer = WordTokenizer.load(tokenizerFile);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + tokenizerFile + ": " + e.getMessage(), e);
        }
        ShapesDataset world = ShapesWorld.generate(config.data());
        ImageFeatures features = ImageEncoders.features(config.encoder(), world, cacheRoot, manager, log);
        Seeds.set(config.train().seed()); // as the run drew its initial weights
        Blip2QFormer model = Blip2QFormer.create(config.qformer(), manager);
        if (dir != null) {
            Checkpoints.load(dir, model, null);
        }
        return new TrainedStage1(runDir, dir == null ? INITIAL : dir.getFileName().toString(), config, tokenizer, model, world, features);
    }

    /** The run's checkpoint folders, oldest first (training keeps the last two). */
    public static List<String> checkpointNames(Path runDir) {
        Path root = new Checkpoints(runDir).root();
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-")).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * The images of {@code split} at {@code imageIndices} (positions in the split), each with its
     * first caption.
     *
     * @throws IllegalArgumentException naming the index when one is out of range
     */
    public List<Sample> images(Split split, int[] imageIndices) {
        List<Sample> samples = world.split(split);
        List<Sample> out = new ArrayList<>();
        for (int i : imageIndices) {
            if (i < 0 || i >= samples.size()) {
                throw new IllegalArgumentException("image " + i + " is out of range: the "
                        + split.name().toLowerCase(java.util.Locale.ROOT) + " split has " + samples.size()
                        + " images (0-" + (samples.size() - 1) + ")");
            }
            out.add(samples.get(i));
        }
        return out;
    }

    /** {@link QueryAttention} of the chosen images of {@code split}, each with its first caption. */
    public QueryAttention attention(NDManager manager, Split split, int[] imageIndices) {
        List<Sample> chosen = images(split, imageIndices);
        int[] ids = chosen.stream().mapToInt(Sample::id).toArray();
        List<String> captions = chosen.stream().map(s -> s.captions().get(0)).toList();
        try (NDManager scope = manager.newSubManager()) {
            TextTensors texts = new TextPadding(tokenizer, config.qformer().maxTextLength()).collate(scope, captions);
            return QueryAttention.measure(model, scope, features.get(scope, ids), texts.ids(), texts.mask());
        }
    }

    /** The tokens of a caption as the model reads them: {@code [CLS]} then its words (as many as fit). */
    public List<String> tokens(String caption) {
        List<String> out = new ArrayList<>();
        out.add(WordTokenizer.CLS);
        out.addAll(WordTokenizer.tokenize(caption));
        return out.subList(0, Math.min(out.size(), config.qformer().maxTextLength()));
    }
}
