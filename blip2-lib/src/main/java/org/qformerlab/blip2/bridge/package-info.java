/**
 * BLIP-2 stage 2: bootstrapping generation from a frozen language model.
 *
 * <p>A {@link org.qformerlab.blip2.bridge.Bridge} turns frozen image features into a soft visual
 * prompt for the language model; {@link org.qformerlab.blip2.bridge.QFormerBridge} is BLIP-2's (the
 * stage-1 Q-Former's query pass and one projection). The bridges of related work are configurations
 * of the same interface, chosen by {@link org.qformerlab.blip2.bridge.BridgeConfig}
 * ({@code stage2.bridge.type}): Flamingo's {@link org.qformerlab.blip2.bridge.PerceiverResampler},
 * LLaVA's {@link org.qformerlab.blip2.bridge.LinearProjection}, CoCa's
 * {@link org.qformerlab.blip2.bridge.AttentionalPooling} and InstructBLIP's instruction-aware
 * Q-Former ({@link org.qformerlab.blip2.bridge.QFormerBridge#instructionAware}, which reads the
 * instruction every bridge is handed). {@link org.qformerlab.blip2.bridge.Stage2Model} puts a bridge
 * in front of a frozen OPT: the captioning loss that trains the bridge, and caption generation.
 * Weights load from LAVIS ({@code Blip2OPT}) and Hugging Face ({@code Blip2ForConditionalGeneration})
 * checkpoints; the Q-Former's text side, which stage 2 does not use, is absent from them on purpose
 * ({@link org.qformerlab.blip2.bridge.Stage2Model#checkpointPolicy()}).
 */
package org.qformerlab.blip2.bridge;
