/**
 * The stage-1 objectives: ITC, ITM (with hard-negative sampling) and ITG, the objective that weighs
 * them, and the attention maps that explain a trained Q-Former.
 */
package org.qformerlab.blip2.objectives;
