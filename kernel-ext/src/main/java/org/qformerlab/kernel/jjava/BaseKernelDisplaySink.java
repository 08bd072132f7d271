package org.qformerlab.kernel.jjava;

import java.util.UUID;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.qformerlab.kernel.display.DisplaySink;

/** Displays through any JJava kernel: rendered by its renderer, published with a display id so they update in place. */
final class BaseKernelDisplaySink implements DisplaySink {

    private final BaseKernel kernel;

    BaseKernelDisplaySink(BaseKernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public String display(Object value) {
        return publish(render(value));
    }

    @Override
    public String display(Object value, String... mimeTypes) {
        return publish(value instanceof DisplayData d ? d : kernel.getRenderer().renderAs(value, mimeTypes));
    }

    @Override
    public void update(String displayId, Object value) {
        kernel.getIO().display.updateDisplay(displayId, render(value));
    }

    private String publish(DisplayData data) {
        String id = UUID.randomUUID().toString();
        data.setDisplayId(id);
        kernel.display(data);
        return id;
    }

    private DisplayData render(Object value) {
        if (value instanceof DisplayData d) {
            return d;
        }
        return value == null ? new DisplayData("null") : kernel.getRenderer().render(value);
    }
}
