/**
 * A run's results (Stage1Result, Stage2Result, loss summaries) and the Markdown reports written
 * from them into its run folder.
 */
package org.qformerlab.blip2.experiment.report;
