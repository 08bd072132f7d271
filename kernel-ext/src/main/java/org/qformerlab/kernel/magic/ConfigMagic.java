package org.qformerlab.kernel.magic;

import java.util.List;
import java.util.stream.Collectors;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.config.QFormerConfig;

/**
 * {@code %%config TYPE [--preset P] [--as NAME]} with a YAML or JSON body: the body names the fields
 * it changes, laid over the preset, validated by the record, and the result is bound to a variable.
 */
public final class ConfigMagic implements Magic {

    private final ConfigTypes types;
    private final MagicSpec spec;

    public ConfigMagic(ConfigTypes types) {
        this.types = types;
        String names = types.all().stream().map(ConfigType::name).collect(Collectors.joining(", "));
        this.spec = new MagicSpec(
                "config", true, "TYPE",
                "make a validated config from YAML or JSON and bind it to a variable",
                "The cell body (YAML or JSON; JSON is YAML) names the fields to change; they are laid over"
                        + " the preset, unknown fields are errors that name the field, and the config record"
                        + " validates the result. Types: " + names + ", or any config record by its"
                        + " fully-qualified class name. A qformer config also becomes the current variant"
                        + " for %masks; an objective config sets the masks %masks draws and %train trains with"
                        + " (itcMask, itmMask, itgMask: UNIMODAL, MULTIMODAL_CAUSAL, BIDIRECTIONAL, block rules"
                        + " {rules: {queries->queries: all, queries->text: none, text->queries: all,"
                        + " text->text: causal}} or a matrix {matrix: [\"##|#..\", ...]}).",
                List.of(
                        MagicOption.valued("preset", "P", "the starting point (qformer: embedded, tiny, paper;"
                                + " objective: blip2; train: stage1; shapes: defaults)"),
                        MagicOption.valued("as", "NAME", "variable to bind (default: qformerConfig, objectiveConfig,"
                                + " trainConfig, shapesConfig)")),
                List.of("%%config qformer --preset tiny\nnumQueries: 8\ncrossAttentionFreq: 1",
                        "%%config objective --as leaky\n{\"itcMask\": \"BIDIRECTIONAL\"}",
                        "%%config objective\nitgMask:\n  name: text-only generation\n  rules: {queries->queries: all,"
                                + " queries->text: none, text->queries: none, text->text: causal}"));
    }

    @Override
    public MagicSpec spec() {
        return spec;
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) {
        args.atMostPositionals(1);
        String typeName = args.positional(0, null);
        if (typeName == null) {
            throw new MagicUsageException(spec, "name the config type: %%config " + known());
        }
        ConfigType<?> type = types.find(typeName).orElseThrow(() -> new MagicUsageException(spec,
                "unknown config type '" + typeName + "'; types: " + known()
                        + ", or a config record's fully-qualified class name"));
        Object config = parse(type, args.string("preset", type.defaultPreset()), body == null ? "" : body);
        String variable = args.variable("as", type.variable());

        context.println(type.type().getSimpleName() + " bound to `" + variable + "`:\n" + Configs.toJson(config));
        context.bind(variable, type.type(), config);
        context.state().lastConfig(config);
        if (config instanceof QFormerConfig q) {
            context.state().currentVariant(q);
        }
    }

    private <T> T parse(ConfigType<T> type, String preset, String body) {
        String source = "%%config " + type.name();
        if (preset == null) {
            if (body.isBlank()) {
                throw new MagicUsageException(spec, type.type().getSimpleName()
                        + " has no preset: write every field in the cell body");
            }
            try {
                return Configs.YAML.readValue(body, type.type());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new ConfigException(source + ": invalid " + type.type().getSimpleName() + ": "
                        + e.getOriginalMessage(), e);
            }
        }
        var supplier = type.presets().get(preset);
        if (supplier == null) {
            throw new MagicUsageException(spec, "unknown preset '" + preset + "' for " + type.name() + "; presets: "
                    + String.join(", ", type.presets().keySet()));
        }
        return Configs.parse(body, type.type(), supplier.get(), source);
    }

    private String known() {
        return types.all().stream().map(ConfigType::name).collect(Collectors.joining(", "));
    }
}
