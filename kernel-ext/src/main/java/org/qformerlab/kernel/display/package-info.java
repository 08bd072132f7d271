/**
 * What notebooks show: rich renderers of the project's objects, progress bars, live loss plots and
 * training displays that update in place.
 */
package org.qformerlab.kernel.display;
