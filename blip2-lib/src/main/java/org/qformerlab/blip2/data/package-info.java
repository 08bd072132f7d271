/**
 * Data for QFormer Lab: where image-caption pairs come from and how they become tensors.
 *
 * <p>Sources produce {@link org.qformerlab.blip2.data.Sample}s:
 * <ul>
 *   <li>{@link org.qformerlab.blip2.data.ShapesWorld} generates the embedded default, a seeded
 *       synthetic world of coloured shapes with captions, question-answer pairs and a compositional
 *       split ({@link org.qformerlab.blip2.data.ShapesWorldConfig}, {@link org.qformerlab.blip2.data.Scene});</li>
 *   <li>{@link org.qformerlab.blip2.data.CocoCaptions} reads real data in the COCO captions format.</li>
 * </ul>
 *
 * <p>Samples flow one way:
 * {@link org.qformerlab.blip2.data.BatchSampler} (which samples, which caption) -&gt;
 * {@link org.qformerlab.blip2.data.BatchCollator} (pixels via {@link org.qformerlab.blip2.data.ImageTensors},
 * token ids via {@link org.qformerlab.blip2.data.WordTokenizer}) -&gt;
 * {@link org.qformerlab.blip2.data.ImageTextBatch} of DJL NDArrays for training. For evaluation,
 * {@link org.qformerlab.blip2.data.EvaluationSet} lists a split's images and captions in order,
 * each caption with its image.
 *
 * <p>Text batching helpers for training and evaluation: {@link org.qformerlab.blip2.data.TextPadding}
 * (Q-Former texts padded to the batch's longest), {@link org.qformerlab.blip2.data.Instructions}
 * (the instruction texts an instruction-aware bridge reads), {@link org.qformerlab.blip2.data.SameLengthBatches}
 * (generation batches of equal prompt length) and {@link org.qformerlab.blip2.data.BatchSchedule}
 * (the batch of each step, reproducible on resume).
 *
 * <p>All randomness is seeded ({@link java.util.SplittableRandom}); the same seed gives the same
 * data, batches and captions.
 */
package org.qformerlab.blip2.data;
