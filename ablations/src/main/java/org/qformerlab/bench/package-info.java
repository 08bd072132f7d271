/**
 * Benchmarks: stage-1 and stage-2 steps, feature extraction and generation, timed against a matmul
 * of the same run, printed as JSON lines.
 */
package org.qformerlab.bench;
