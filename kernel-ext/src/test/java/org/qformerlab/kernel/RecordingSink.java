package org.qformerlab.kernel;

import java.util.ArrayList;
import java.util.List;
import org.qformerlab.kernel.display.DisplaySink;

/** Records what would have been shown, in order, for assertions. */
final class RecordingSink implements DisplaySink {

    record Shown(String id, Object value, boolean update) {}

    final List<Shown> shown = new ArrayList<>();
    private int next;

    @Override
    public synchronized String display(Object value) {
        String id = "d" + (++next);
        shown.add(new Shown(id, value, false));
        return id;
    }

    @Override
    public synchronized void update(String displayId, Object value) {
        shown.add(new Shown(displayId, value, true));
    }

    synchronized <T> List<T> displayed(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Shown s : shown) {
            if (!s.update() && type.isInstance(s.value())) {
                out.add(type.cast(s.value()));
            }
        }
        return out;
    }
}
