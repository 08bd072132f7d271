/**
 * The magics and displays as an extension of a stock JJava kernel.
 */
package org.qformerlab.kernel.jjava;
