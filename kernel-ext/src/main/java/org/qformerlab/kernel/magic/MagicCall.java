package org.qformerlab.kernel.magic;

import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.kernel.display.DisplaySink;

/**
 * One magic call's view of a notebook: its displays, its printed lines, the state magics share.
 * What the call binds and the variable managers it opens take effect only when it succeeds
 * ({@link #commit}); when it fails they are dropped ({@link #abandon}). The QFormer Lab kernel and
 * the JJava extension both run magics through this; they differ only in how a binding becomes a
 * notebook variable (a JShell declaration, a value fetched by name).
 */
public final class MagicCall implements MagicContext {

    /** A notebook variable the call binds: its name, its Java type as written, its value. */
    public record Binding(String name, String javaType, Object value) {}

    private final DisplaySink sink;
    private final MagicState state;
    private final VariableManagers managers;
    private final NotebookShell shell;
    private final Map<String, Binding> bindings = new LinkedHashMap<>();
    private final Map<String, NDManager> opened = new LinkedHashMap<>();

    /**
     * @param managers where the variables' managers live once the call succeeds
     * @param shell the notebook's Java for magics that run or extend it, or null when there is none
     */
    public MagicCall(DisplaySink sink, MagicState state, VariableManagers managers, NotebookShell shell) {
        this.sink = sink;
        this.state = state;
        this.managers = managers;
        this.shell = shell;
    }

    @Override
    public DisplaySink displays() {
        return sink;
    }

    @Override
    public void println(String text) {
        System.out.println(text);
    }

    @Override
    public void bind(String name, String javaType, Object value) {
        bindings.put(name, new Binding(name, javaType, value));
    }

    @Override
    public MagicState state() {
        return state;
    }

    @Override
    public NDManager newVariableManager(String variable) {
        NDManager m = managers.newManager();
        NDManager previous = opened.put(variable, m);
        if (previous != null) {
            previous.close();
        }
        return m;
    }

    @Override
    public NotebookShell shell() {
        return shell != null ? shell : MagicContext.super.shell();
    }

    /**
     * The call succeeded: its managers replace those of the variables they belong to (which are
     * closed); returns what it bound, in order, for the notebook to declare.
     */
    public List<Binding> commit() {
        opened.forEach(managers::keep);
        opened.clear();
        return List.copyOf(bindings.values());
    }

    /** The call failed: the managers it opened are closed and nothing is bound. */
    public void abandon() {
        opened.values().forEach(NDManager::close);
        opened.clear();
        bindings.clear();
    }
}
