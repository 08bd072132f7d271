package org.qformerlab.kernel.magic;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.qformerlab.blip2.data.QA;
import org.qformerlab.blip2.data.Sample;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.ShapesWorldConfig;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.report.ImageGrid;

/** {@code %data shapes [--n 8 --seed S]}: a grid of sample images with a caption and a question each. */
public final class DataMagic implements Magic {

    private static final int MAX_SAMPLES = 64;

    private static final MagicSpec SPEC = new MagicSpec(
            "data", false, "shapes",
            "show sample images of a dataset with their captions and questions",
            """
            Generates a few images of the embedded "shapes" world (1-3 coloured shapes per image,
            captions with spatial relations and counts, one-word question answers) and draws them in a
            grid, each with its first caption and first question. The same seed gives the same images.""",
            List.of(
                    MagicOption.valued("n", "N", "number of images (default 8, at most " + MAX_SAMPLES + ")"),
                    MagicOption.valued("seed", "S", "world seed (default " + ShapesWorldConfig.DEFAULT_SEED + ")"),
                    MagicOption.valued("columns", "C", "images per row (default 4)"),
                    MagicOption.valued("as", "NAME", "also bind the generated samples (a List<Sample>) to NAME")),
            List.of("%data shapes", "%data shapes --n 4 --seed 7 --as samples"));

    @Override
    public MagicSpec spec() {
        return SPEC;
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) {
        args.atMostPositionals(1);
        String dataset = args.positional(0, null);
        if (!"shapes".equals(dataset)) {
            throw new MagicUsageException(SPEC, dataset == null
                    ? "name the dataset: %data shapes"
                    : "unknown dataset '" + dataset + "'; datasets: shapes");
        }
        int n = args.integer("n", 8, 1);
        if (n > MAX_SAMPLES) {
            throw new MagicUsageException(SPEC, "--n " + n + " is more than a grid can show; use at most " + MAX_SAMPLES);
        }
        long seed = args.longValue("seed", ShapesWorldConfig.DEFAULT_SEED);
        int columns = args.integer("columns", Math.min(n, 4), 1);
        String variable = args.has("as") ? args.variable("as", null) : null;

        List<Sample> samples = samples(seed, n);
        List<BufferedImage> images = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (Sample s : samples) {
            images.add(s.image());
            captions.add(caption(s));
        }
        context.display(ImageGrid.of(images).captions(captions).columns(columns).cellSize(128).maxCaptionLines(6));
        if (variable != null) {
            context.bind(variable, "java.util.List<" + Sample.class.getName() + ">", samples);
        }
    }

    static List<Sample> samples(long seed, int n) {
        ShapesDataset world = ShapesWorld.generate(ShapesWorldConfig.defaults(seed).withCounts(n, 0, 0, 0));
        return world.split(Split.TRAIN);
    }

    static String caption(Sample s) {
        String caption = s.captions().isEmpty() ? "" : s.captions().get(0);
        if (!s.qas().isEmpty()) {
            QA qa = s.qas().get(0);
            caption += " | Q: " + qa.question() + " A: " + qa.answer();
        }
        return caption;
    }
}
