package org.qformerlab.kernel.magic;

import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qformerlab.blip2.nn.Devices;

/**
 * The managers of arrays that live as long as a notebook variable (a model a magic bound): one per
 * variable, under one base manager on the device {@code nn.Devices} chooses. A variable's manager is
 * closed when a magic binds the variable again, and all of them when the notebook closes.
 */
public final class VariableManagers implements AutoCloseable {

    private final Map<String, NDManager> byVariable = new LinkedHashMap<>();
    private NDManager base;

    /** A new manager, not yet any variable's ({@link #keep} makes it one's). */
    public synchronized NDManager newManager() {
        if (base == null) {
            base = NDManager.newBaseManager(Devices.resolve("auto"));
        }
        return base.newSubManager();
    }

    /** Makes {@code manager} the one of {@code variable}, closing the manager it replaces. */
    public synchronized void keep(String variable, NDManager manager) {
        NDManager old = byVariable.put(variable, manager);
        if (old != null && old != manager) {
            old.close();
        }
    }

    @Override
    public synchronized void close() {
        byVariable.values().forEach(NDManager::close);
        byVariable.clear();
        if (base != null) {
            base.close();
            base = null;
        }
    }
}
