package org.qformerlab.blip2.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * One NDManager scope per step. In DJL the result of an operation belongs to the manager of its
 * first operand: a step that starts from arrays owned by a long-lived manager (a dataset, a
 * feature cache) would leave its whole graph in that manager. {@link #enter} attaches such inputs
 * to the step's scope temporarily; when the scope closes they go back to their owner and everything
 * derived from them is freed.
 */
public final class Scopes {

    private Scopes() {}

    public static void enter(NDManager scope, NDArray... inputs) {
        for (NDArray a : inputs) {
            if (a != null && a.getManager() != scope && !ownedBy(a.getManager(), scope)) {
                a.tempAttach(scope);
            }
        }
    }

    /** Whether {@code m} is {@code scope} or one of its sub-managers. */
    private static boolean ownedBy(NDManager m, NDManager scope) {
        for (NDManager p = m; p != null; p = p.getParentManager()) {
            if (p == scope) {
                return true;
            }
            if (p == p.getParentManager()) {
                return false;
            }
        }
        return false;
    }
}
