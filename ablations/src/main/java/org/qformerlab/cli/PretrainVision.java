package org.qformerlab.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import org.qformerlab.blip2.checkpoint.AtomicFiles;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.experiment.evaluation.EncoderProbe;
import org.qformerlab.blip2.train.RunFolder;
import org.qformerlab.blip2.vision.AttributePretrainConfig;
import org.qformerlab.blip2.vision.EncoderImageFeatures;
import org.qformerlab.blip2.vision.ShippedEncoder;
import org.qformerlab.blip2.vision.VisionConfig;

/**
 * {@code qformerlab pretrain vision}: pretrains the embedded default's frozen image encoder on images
 * alone ({@link ShippedEncoder}), writes {@code model.safetensors} and {@code config.json}, and
 * probes its features. Run from the repository root with no options, it remakes the shipped files.
 */
final class PretrainVision {

    static final String SUMMARY = "the ViT that both stages freeze, pretrained on images alone; records its probe";

    static final String USAGE = """
            usage: qformerlab pretrain vision [options]

            Draws a pool of shapes-world scenes disjoint from the default world's images (no captions),
            pretrains the ViT of VisionConfig.supervised() to name each object's colour, shape and
            size in each cell and the scene's contents and count (AttributePretraining), and writes
            model.safetensors and config.json (the recipe, the pool, the losses, the time). Then a
            linear probe of its frozen features, fitted on the default world's training split and
            scored on its test split, is printed beside 16x16 pixel patches' and stored in
            config.json. With no options, from the repository root, this remakes the committed
            encoder (1834 s measured on one CPU thread of a busy two-core machine); with --run, an
            interrupted run continues where it stopped (add --resume to the same command):

              QFORMERLAB_JAVA_OPTS="-Xmx8g -Dai.djl.pytorch.num_threads=1" ./qformerlab pretrain vision \\
                  --run runs/pretrain-vision

            options:
              --out DIR          where the two files go (default\s""" + ShippedEncoder.SOURCE_FOLDER + """
            )
              --preset NAME      embedded (default) or tiny (seconds; a smoke test, needs --out)
              --steps N          optimiser steps (the pool keeps its size)
              --no-probe         skip the probe
            """ + PretrainVerb.RUN_OPTIONS;

    private PretrainVision() {}

    static int run(Args args, PrintStream out) throws Exception {
        String preset = args.string("preset", "embedded");
        String outDir = args.string("out", null);
        boolean probe = !args.flag("no-probe");
        int steps = args.integer("steps", -1);
        RunFolder run = PretrainVerb.runFolder(args);
        args.checkAllUsed();
        VisionConfig vision;
        AttributePretrainConfig recipe;
        switch (preset) {
            case "embedded" -> {
                vision = VisionConfig.supervised();
                recipe = AttributePretrainConfig.embedded();
            }
            case "tiny" -> {
                vision = VisionConfig.tiny().withFeatureLayer(-1);
                recipe = AttributePretrainConfig.tiny();
                if (outDir == null) {
                    throw new Args.UsageException("--preset tiny needs --out DIR: the shipped files are the embedded encoder");
                }
            }
            default -> throw new Args.UsageException("--preset must be embedded or tiny, got '" + preset + "'");
        }
        if (steps != -1) {
            if (steps < 1) {
                throw new Args.UsageException("--steps must be at least 1, got " + steps);
            }
            recipe = recipe.withSteps(steps);
        }
        Path folder = outDir != null ? Path.of(outDir) : ShippedEncoder.SOURCE_FOLDER;
        if (outDir == null && !folder.getParent().toFile().isDirectory()) {
            throw new Args.UsageException("run from the repository root (no " + folder.getParent()
                    + " here) or name the folder with --out DIR");
        }
        String made = "qformerlab pretrain vision --preset " + preset + (steps != -1 ? " --steps " + steps : "")
                + " (PyTorch threads: " + System.getProperty("ai.djl.pytorch.num_threads", "default") + ")";
        try (NDManager manager = NDManager.newBaseManager()) {
            ShippedEncoder.Entry entry = ShippedEncoder.pretrain(vision, recipe, folder, made, run, manager, out);
            if (probe) {
                ShapesDataset world = ShapesWorld.generate(recipe.disjointFrom().withImageSize(vision.imageSize()));
                EncoderImageFeatures features = new EncoderImageFeatures(entry.encoder(),
                        org.qformerlab.blip2.vision.EmbeddedVision.allSamples(world));
                EncoderProbe result = EncoderProbe.measure("supervised vit", features, world, true, manager);
                out.print(result.lines());
                out.println(result.passes() ? "every gated attribute reaches " + EncoderProbe.GATE
                        : "WARNING: some gated attribute is below " + EncoderProbe.GATE + " " + EncoderProbe.ATTRIBUTES);
                ObjectNode record = (ObjectNode) entry.record();
                record.set("probe", Configs.JSON.valueToTree(result.summary()));
                AtomicFiles.writeString(folder.resolve("config.json"), Configs.toJson(record));
            }
            out.println("wrote " + folder.resolve("model.safetensors") + " and config.json");
        }
        return 0;
    }
}
