/**
 * The frozen language models of BLIP-2 stage 2 and how text is decoded from them.
 *
 * <ul>
 *   <li>{@link org.qformerlab.blip2.llm.OptModel} (config {@link org.qformerlab.blip2.llm.OptConfig}):
 *       the decoder-only OPT with Hugging Face names, frozen from construction;</li>
 *   <li>{@link org.qformerlab.blip2.llm.T5Model} (config {@link org.qformerlab.blip2.llm.T5Config}):
 *       the FlanT5 encoder-decoder (RMS norms, relative position buckets, gated-GELU), whose decoder
 *       bound to an encoder output ({@code decoderFor}) is a causal LM for generation;</li>
 *   <li>{@link org.qformerlab.blip2.llm.CausalLm}: what the rest of the library needs of a language
 *       model: embed tokens, next-token logits from input embeddings, a
 *       {@link org.qformerlab.blip2.llm.KvCache};</li>
 *   <li>{@link org.qformerlab.blip2.llm.Generator} with {@link org.qformerlab.blip2.llm.GenerationConfig}:
 *       greedy, nucleus sampling and beam search from a prefix of embeddings (the soft visual
 *       prompt), returning a {@link org.qformerlab.blip2.llm.Generation};</li>
 *   <li>{@link org.qformerlab.blip2.llm.Tokenizer}: text to ids and back, from a Hugging Face
 *       {@code tokenizer.json} ({@link org.qformerlab.blip2.llm.HuggingFaceTokenizer}, offline) or
 *       the shapes world's word tokenizer ({@link org.qformerlab.blip2.llm.WordTokenizerAdapter});</li>
 *   <li>{@link org.qformerlab.blip2.llm.LanguageModelCache}: the embedded default's frozen LM,
 *       pretrained once on text alone ({@link org.qformerlab.blip2.llm.LanguagePretraining}) and kept
 *       as a {@link org.qformerlab.blip2.cache.CacheEntry}; {@link org.qformerlab.blip2.llm.LanguageText}
 *       frames texts as that LM reads them behind the soft prompt.</li>
 * </ul>
 */
package org.qformerlab.blip2.llm;
