/**
 * The frozen image encoder of BLIP-2 and what makes it cheap to use: the ViT, its pretraining on
 * images alone, and its features computed once and looked up by sample id.
 *
 * <ul>
 *   <li>{@link org.qformerlab.blip2.vision.VisionTransformer}: a ViT with Hugging Face
 *       {@code Blip2VisionModel}'s structure and parameter names ({@link org.qformerlab.blip2.vision.VisionConfig});
 *       its features are the hidden states of the second-to-last block, as BLIP-2 takes them;</li>
 *   <li>{@link org.qformerlab.blip2.vision.AttributePretraining}: the embedded default's encoder is
 *       pretrained on images alone (an {@link org.qformerlab.blip2.data.ImagePool} disjoint from the
 *       world's images), by supervised {@link org.qformerlab.blip2.vision.AttributeHeads} that read
 *       each object's colour, shape and size ({@link org.qformerlab.blip2.vision.AttributePretrainConfig}),
 *       so that a unimodal image model worth freezing exists before alignment, as BLIP-2 assumes; it is
 *       shipped as a committed file ({@link org.qformerlab.blip2.vision.ShippedEncoder}), remade by
 *       {@code ./qformerlab pretrain vision};</li>
 *   <li>{@link org.qformerlab.blip2.vision.VisionPretraining}: the older alternative, a
 *       {@link org.qformerlab.blip2.vision.MaskedAutoencoder} on the world's training images
 *       ({@link org.qformerlab.blip2.vision.VisionPretrainConfig}), whose features carry little at
 *       this budget;</li>
 *   <li>{@link org.qformerlab.blip2.vision.EncoderCache}: the pretrained encoder on disk, keyed by its
 *       configs (a {@link org.qformerlab.blip2.cache.CacheEntry});</li>
 *   <li>{@link org.qformerlab.blip2.vision.FeatureCache}: the frozen encoder's features of every image,
 *       computed once; {@link org.qformerlab.blip2.vision.EncoderImageFeatures} computes them on every
 *       call instead (both are {@link org.qformerlab.blip2.vision.ImageFeatures}, as is
 *       {@link org.qformerlab.blip2.vision.PatchPixels}, the learning-free stand-in);</li>
 *   <li>{@link org.qformerlab.blip2.vision.EmbeddedVision}: the one call a pipeline makes;
 *       {@link org.qformerlab.blip2.vision.VisionBenchmark} measures what the cache saves, and
 *       {@link org.qformerlab.blip2.vision.FeatureProbe} what the features encode.</li>
 * </ul>
 */
package org.qformerlab.blip2.vision;
