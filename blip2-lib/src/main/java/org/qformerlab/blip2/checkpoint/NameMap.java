package org.qformerlab.blip2.checkpoint;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a model's parameter names (QFormer Lab uses LAVIS's names internally) are spelled in a
 * checkpoint format, plus the tied copies a format writes under extra names.
 */
public interface NameMap {

    /** The name of internal parameter {@code internal} in the file. */
    String external(String internal);

    /** Names in the file that are copies of a tied parameter: file name -> internal name. */
    Map<String, String> aliases();

    /** LAVIS ({@code Blip2Qformer}, {@code Blip2OPT}): internal names as they are. */
    NameMap LAVIS =
            new NameMap() {
                @Override
                public String external(String internal) {
                    return internal;
                }

                @Override
                public Map<String, String> aliases() {
                    return Map.of(
                            "Qformer.cls.predictions.decoder.weight", "Qformer.bert.embeddings.word_embeddings.weight",
                            "Qformer.cls.predictions.decoder.bias", "Qformer.cls.predictions.bias",
                            "opt_model.lm_head.weight", "opt_model.model.decoder.embed_tokens.weight");
                }

                @Override
                public String toString() {
                    return "LAVIS";
                }
            };

    /**
     * Hugging Face {@code Blip2*} models (the rules of its conversion script):
     * {@code Qformer.bert.} -> {@code qformer.}, the embedding LayerNorm -> {@code qformer.layernorm},
     * {@code .attention.self.} -> {@code .attention.attention.}, {@code ln_vision} ->
     * {@code vision_model.post_layernorm}, {@code opt_proj} -> {@code language_projection},
     * {@code opt_model.} -> {@code language_model.}; the text embeddings and ITC projections of the
     * retrieval model go to {@code embeddings.*}, {@code vision_projection}, {@code text_projection}.
     * OPT's {@code language_model.lm_head.weight} is the tied copy of its token embeddings.
     */
    NameMap HUGGING_FACE = new RuleNameMap(
            "Hugging Face",
            List.of(
                    new String[] {"^Qformer\\.bert\\.embeddings\\.LayerNorm\\.", "qformer.layernorm."},
                    new String[] {"^Qformer\\.bert\\.embeddings\\.", "embeddings."},
                    new String[] {"^Qformer\\.bert\\.", "qformer."},
                    new String[] {"(cross)?attention\\.self\\.", "$1attention.attention."},
                    new String[] {"^ln_vision\\.", "vision_model.post_layernorm."},
                    new String[] {"^opt_proj\\.", "language_projection."},
                    new String[] {"^opt_model\\.", "language_model."},
                    new String[] {"^t5_proj\\.", "language_projection."},
                    new String[] {"^t5_model\\.", "language_model."},
                    new String[] {"^vision_proj\\.", "vision_projection."},
                    new String[] {"^text_proj\\.", "text_projection."}),
            Map.of("language_model.lm_head.weight", "opt_model.model.decoder.embed_tokens.weight"));

    /** A map defined by ordered regular-expression rewrites. */
    final class RuleNameMap implements NameMap {
        private final String name;
        private final List<Pattern> patterns;
        private final List<String> replacements;
        private final Map<String, String> aliases;

        public RuleNameMap(String name, List<String[]> rules, Map<String, String> aliases) {
            this.name = name;
            this.patterns = rules.stream().map(r -> Pattern.compile(r[0])).toList();
            this.replacements = rules.stream().map(r -> r[1]).toList();
            this.aliases = aliases;
        }

        @Override
        public String external(String internal) {
            String s = internal;
            for (int i = 0; i < patterns.size(); i++) {
                Matcher m = patterns.get(i).matcher(s);
                s = m.replaceAll(replacements.get(i));
            }
            return s;
        }

        @Override
        public Map<String, String> aliases() {
            return aliases;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
