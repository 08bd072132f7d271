package org.qformerlab.blip2.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns autograd recording off for a block of code (like {@code torch.no_grad()}).
 *
 * <p>PyTorch keeps its grad mode per thread and DJL switches it off only on the thread that loaded
 * the engine; code that runs on other threads (a notebook kernel, a worker) must not record a
 * graph for evaluation or parameter updates. Use with try-with-resources.
 */
public final class GradMode implements AutoCloseable {

    private final boolean previous;

    private GradMode(boolean enabled) {
        boolean pytorch = "PyTorch".equals(Engine.getInstance().getEngineName());
        previous = pytorch && JniUtils.isGradMode();
        if (pytorch) {
            JniUtils.setGradMode(enabled);
        }
    }

    /** Disables gradient recording until closed. */
    public static GradMode off() {
        return new GradMode(false);
    }

    @Override
    public void close() {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            JniUtils.setGradMode(previous);
        }
    }
}
