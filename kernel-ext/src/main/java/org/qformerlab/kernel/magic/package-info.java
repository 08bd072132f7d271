/**
 * The notebook magics: %qformer, %%config, %masks, %data, %train, %eval, %attention, %ablate,
 * %bench and the rest.
 */
package org.qformerlab.kernel.magic;
