/**
 * JShell evaluation of notebook cells on one cell thread, in the kernel's own JVM, with the
 * kernel's objects handed to cell variables.
 */
package org.qformerlab.kernel.jshell;
