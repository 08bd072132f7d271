package org.qformerlab.kernel.magic;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.qformerlab.blip2.config.QFormerConfig;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.kernel.display.ParameterSummary;

/**
 * {@code %qformer [preset] [--queries N --layers L --cross-freq K --hidden H --heads A ...]}: builds a
 * Q-Former variant from a preset and the knobs an ablation turns, binds it to a notebook variable
 * and shows where its parameters are.
 */
public final class QFormerMagic implements Magic {

    static final List<String> PRESETS = List.of("tiny", "embedded", "paper");

    private static final MagicSpec SPEC = new MagicSpec(
            "qformer", false, "[tiny|embedded|paper]",
            "build a Q-Former variant, bind it to a variable, show its parameters by part",
            """
            Builds a BLIP-2 Q-Former (the stage-1 model: learned queries, the BERT-style encoder with
            cross-attention to the image in every K-th layer, the ITC/ITM/ITG heads) from a preset,
            changed by the options, initialised with BERT's normal(0, 0.02). The model is bound to a
            variable (default `qformer`) and becomes the current variant for %masks. The table counts
            the parameters of each part; trainable and frozen are counted separately.
            Presets: tiny (hidden 32, 2 layers, 4 queries: instant), embedded (the shapes world's scale:
            hidden 256, 6 layers, 32 queries), paper (BERT-base, 32 queries over ViT-g features: about
            190M parameters, close to 1 GB of memory).""",
            List.of(
                    MagicOption.valued("queries", "N", "number of learned queries (the bottleneck)"),
                    MagicOption.valued("layers", "L", "number of transformer layers"),
                    MagicOption.valued("cross-freq", "K", "cross-attention in layers 0, K, 2K, ... (1 = every layer)"),
                    MagicOption.valued("hidden", "H", "hidden width of queries and text"),
                    MagicOption.valued("heads", "A", "attention heads (must divide H)"),
                    MagicOption.valued("intermediate", "I", "feed-forward width (default: the preset's, 4H when --hidden is given)"),
                    MagicOption.valued("vision-width", "D", "width of the frozen image features"),
                    MagicOption.valued("embed-dim", "E", "size of the ITC projections"),
                    MagicOption.valued("as", "NAME", "variable to bind the model to (default qformer)")),
            List.of("%qformer tiny", "%qformer embedded --queries 8 --cross-freq 1", "%qformer tiny --layers 4 --as deep"));

    @Override
    public MagicSpec spec() {
        return SPEC;
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) {
        args.atMostPositionals(1);
        String preset = args.positional(0, "embedded").toLowerCase(Locale.ROOT);
        String variable = args.variable("as", "qformer");
        QFormerConfig config = configure(args, preset);

        NDManager manager = context.newVariableManager(variable);
        Blip2QFormer model = Blip2QFormer.create(config, manager);
        ParameterSummary summary = ParameterSummary.of(model);

        context.println(describe(preset, variable, config, summary));
        context.display(summary.table());
        context.bind(variable, Blip2QFormer.class, model);
        context.state().currentVariant(config);
    }

    /** The preset with the options applied (validated by the config record). */
    static QFormerConfig configure(MagicArgs args, String preset) {
        QFormerConfig p = switch (preset) {
            case "tiny" -> QFormerConfig.tiny();
            case "embedded" -> QFormerConfig.embedded();
            case "paper" -> QFormerConfig.paper();
            default -> throw new MagicUsageException(SPEC, "unknown preset '" + preset + "'; presets: "
                    + String.join(", ", PRESETS));
        };
        int hidden = args.integer("hidden", p.hiddenSize(), 1);
        int intermediate = args.integer("intermediate", args.has("hidden") ? 4 * hidden : p.intermediateSize(), 1);
        return new QFormerConfig(
                hidden,
                args.integer("layers", p.numLayers(), 1),
                args.integer("heads", p.numHeads(), 1),
                intermediate,
                args.integer("queries", p.numQueries(), 1),
                args.integer("cross-freq", p.crossAttentionFreq(), 1),
                args.integer("vision-width", p.visionWidth(), 1),
                p.vocabSize(),
                p.maxTextLength(),
                p.hiddenDropout(),
                p.attentionDropout(),
                p.layerNormEps(),
                args.integer("embed-dim", p.embedDim(), 1),
                p.initTemperature(),
                p.padTokenId(),
                p.clsTokenId(),
                p.decTokenId(),
                p.initializerRange());
    }

    static String describe(String preset, String variable, QFormerConfig c, ParameterSummary summary) {
        List<Integer> cross = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            if (c.hasCrossAttention(i)) {
                cross.add(i);
            }
        }
        return String.format(Locale.ROOT,
                "Q-Former '%s' bound to `%s`: %d queries, %d layers (cross-attention in layer%s %s), hidden %d,"
                        + " %d heads; %,d parameters (%,d trainable)",
                preset, variable, c.numQueries(), c.numLayers(), cross.size() == 1 ? "" : "s",
                cross.stream().map(String::valueOf).collect(Collectors.joining(", ")),
                c.hiddenSize(), c.numHeads(), summary.total(), summary.trainable());
    }
}
