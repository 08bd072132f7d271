/**
 * The frozen image encoder of BLIP-2 and what makes it cheap to use.
 *
 * <ul>
 *   <li>{@link org.qformerlab.blip2.vision.VisionTransformer}: a ViT with Hugging Face
 *       {@code Blip2VisionModel}'s structure and parameter names ({@link org.qformerlab.blip2.vision.VisionConfig});
 *       its features are the hidden states of the second-to-last block, as BLIP-2 takes them;</li>
 *   <li>{@link org.qformerlab.blip2.vision.VisionPretraining}: the embedded default's encoder is pretrained
 *       on images alone, as a {@link org.qformerlab.blip2.vision.MaskedAutoencoder}
 *       ({@link org.qformerlab.blip2.vision.VisionPretrainConfig}), so that a unimodal image model exists
 *       before alignment, as BLIP-2 assumes;</li>
 *   <li>{@link org.qformerlab.blip2.vision.EncoderCache}: the pretrained encoder on disk, keyed by its configs;</li>
 *   <li>{@link org.qformerlab.blip2.vision.FeatureCache}: the frozen encoder's features of every image,
 *       computed once; {@link org.qformerlab.blip2.vision.EncoderImageFeatures} computes them on every
 *       call instead (both are {@link org.qformerlab.blip2.experiment.ImageFeatures});</li>
 *   <li>{@link org.qformerlab.blip2.vision.EmbeddedVision}: the one call a pipeline makes;
 *       {@link org.qformerlab.blip2.vision.VisionBenchmark} measures what the cache saves, and
 *       {@link org.qformerlab.blip2.vision.FeatureProbe} what the features encode.</li>
 * </ul>
 */
package org.qformerlab.blip2.vision;
