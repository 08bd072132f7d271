/**
 * The QFormer Lab Jupyter kernel: a notebook session (JShell plus magics) behind the Jupyter wire
 * protocol, and how its cells and errors read.
 */
package org.qformerlab.kernel;
