/**
 * Evaluation metrics: retrieval recall and ranks, ITC/ITM scorers, BLEU and CIDEr-D, VQA accuracy
 * and its headroom, attribute truth of captions, binding scores and McNemar tests.
 */
package org.qformerlab.blip2.eval;
