/**
 * Configuration basics that every other package builds on: the Q-Former and objective records, masks
 * as data, validation ({@link org.qformerlab.blip2.config.ConfigException}), JSON/YAML reading and
 * dotted paths ({@link org.qformerlab.blip2.config.Configs}, {@link org.qformerlab.blip2.config.ConfigPaths}),
 * and the user cache folder ({@link org.qformerlab.blip2.config.UserCache}).
 *
 * <h2>Every configuration record of the project</h2>
 *
 * <p>A record lives in the package of what it configures (a lower package cannot name a higher one's
 * types), so this list is where to find them all. Every record whose name ends in {@code Config}
 * appears here; {@code ArchitectureTest} fails when one is missing or when an entry names a record
 * that no longer exists. {@link org.qformerlab.blip2.experiment.config.ExperimentConfig} nests most of
 * the others, one section per stage of the data flow.
 *
 * <ul>
 *   <li>{@link org.qformerlab.blip2.config.QFormerConfig} (config): the Q-Former's shape, one knob per
 *       field (queries, layers, width, cross-attention frequency, dropout).</li>
 *   <li>{@link org.qformerlab.blip2.config.ObjectiveConfig} (config): the stage-1 losses, their weights
 *       and the attention mask each branch runs under.</li>
 *   <li>{@link org.qformerlab.blip2.data.ShapesWorldConfig} (data): everything that determines a
 *       shapes world (seed, image size, split sizes, captions per image, held-out fraction).</li>
 *   <li>{@link org.qformerlab.blip2.qformer.Attention.Config} (qformer): one attention sub-layer's shape
 *       (self- or cross-attention).</li>
 *   <li>{@link org.qformerlab.blip2.train.TrainConfig} (train): optimiser, schedule, regularisation,
 *       seeds and bookkeeping of a training run.</li>
 *   <li>{@link org.qformerlab.blip2.vision.VisionConfig} (vision): the frozen image encoder's shape (a
 *       ViT).</li>
 *   <li>{@link org.qformerlab.blip2.vision.AttributePretrainConfig} (vision): the recipe that pretrains the
 *       shipped encoder on images alone with attribute heads.</li>
 *   <li>{@link org.qformerlab.blip2.vision.VisionPretrainConfig} (vision): the masked-autoencoder recipe
 *       that pretrains an encoder on images alone.</li>
 *   <li>{@link org.qformerlab.blip2.llm.OptConfig} (llm): an OPT decoder's shape.</li>
 *   <li>{@link org.qformerlab.blip2.llm.T5Config} (llm): a T5 / FlanT5 encoder-decoder's shape.</li>
 *   <li>{@link org.qformerlab.blip2.llm.LanguagePretrainConfig} (llm): the embedded frozen language model,
 *       its shape and its pretraining on text alone.</li>
 *   <li>{@link org.qformerlab.blip2.llm.GenerationConfig} (llm): how text is decoded (greedy, beams,
 *       sampling, lengths, penalties).</li>
 *   <li>{@link org.qformerlab.blip2.bridge.BridgeConfig} (bridge): which bridge stage 2 trains and the
 *       knobs of the bridges that are not a Q-Former.</li>
 *   <li>{@link org.qformerlab.blip2.bridge.Blip2Config} (bridge): a Hugging Face
 *       {@code Blip2ForConditionalGeneration} in this library's records.</li>
 *   <li>{@link org.qformerlab.blip2.bridge.PerceiverResampler.Config} (bridge): a Perceiver Resampler's
 *       shape.</li>
 *   <li>{@link org.qformerlab.blip2.experiment.config.ExperimentConfig} (experiment.config): everything
 *       that determines an experiment, one section per stage of the data flow.</li>
 *   <li>{@link org.qformerlab.blip2.experiment.config.ImageEncoderConfig} (experiment.config): which
 *       frozen image encoder an experiment uses, and its recipe.</li>
 *   <li>{@link org.qformerlab.blip2.experiment.config.Stage2Config} (experiment.config): BLIP-2 stage 2:
 *       initialisation, bridge, frozen language model, training.</li>
 *   <li>{@link org.qformerlab.blip2.experiment.config.EvalConfig} (experiment.config): how retrieval and
 *       binding are evaluated (ITM re-ranking, splits, examples).</li>
 *   <li>{@code org.qformerlab.bench.BenchConfig} (bench, in the ablations module): the sizes a benchmark
 *       runs at.</li>
 * </ul>
 */
package org.qformerlab.blip2.config;
