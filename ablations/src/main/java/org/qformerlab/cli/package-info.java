/**
 * The qformerlab command line: quickstart, ablate, bench, pretrain and caption verbs over the
 * library.
 */
package org.qformerlab.cli;
