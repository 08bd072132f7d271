package org.qformerlab.kernel.jshell;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Runs JShell snippets inside the kernel's own JVM, on the {@link CellThread}.
 *
 * <p>JShell normally hands back a snippet's value as a string. A notebook needs the object itself
 * (a chart is shown as a picture, not as {@code XYChart@1f2e}), so every snippet's value is kept
 * here under a key and JShell is given the key instead; {@link #takeValue(String)} returns the
 * object. What a snippet throws is kept the same way ({@link #takeThrown()}), so the kernel can show
 * the user's real exception with its frames.
 *
 * <p>In-process execution also means snippets see the kernel's classpath (the project and its
 * libraries) and share static state with it: {@code display(...)} reaches the running kernel.
 */
public final class InProcessExecutionControl extends DirectExecutionControl {

    private static final Object NULL = new Object();
    private static final String KEY_PREFIX = "qfl-value-";

    private final CellThread cellThread;
    private final Map<String, Object> values = new ConcurrentHashMap<>();
    private final AtomicLong nextKey = new AtomicLong();
    private volatile Throwable thrown;
    private volatile boolean interrupted;

    public InProcessExecutionControl(CellThread cellThread) {
        this.cellThread = cellThread;
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        Object value;
        try {
            value = cellThread.run(() -> doitMethod.invoke(null));
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof ThreadDeath && cellThread.stopRequested()) {
                interrupted = true;
                throw new ExecutionControl.StoppedException();
            }
            thrown = cause;
            throw e;
        } catch (CellInterruptedException e) {
            interrupted = true;
            throw new ExecutionControl.StoppedException();
        }
        String key = KEY_PREFIX + nextKey.incrementAndGet();
        values.put(key, value == null ? NULL : value);
        return key;
    }

    /** Whether {@code valueString} is a key this control handed to JShell. */
    public static boolean isValueKey(String valueString) {
        return valueString != null && valueString.startsWith(KEY_PREFIX);
    }

    /** The object behind a key (removed from the store), or null. */
    public Object takeValue(String key) {
        Object v = values.remove(key);
        return v == NULL ? null : v;
    }

    /** Forgets values nobody asked for (declarations, statements) at the end of a cell. */
    public void clearValues() {
        values.clear();
    }

    /** What the last failing snippet threw (cleared by this call), or null. */
    public Throwable takeThrown() {
        Throwable t = thrown;
        thrown = null;
        return t;
    }

    /** Whether a snippet was stopped by an interrupt since the last call (cleared by this call). */
    public boolean takeInterrupted() {
        boolean i = interrupted;
        interrupted = false;
        return i;
    }

    @Override
    public void stop() {
        cellThread.stop();
    }

    /** Hands this control to JShell's builder. */
    public ExecutionControlProvider provider() {
        InProcessExecutionControl self = this;
        return new ExecutionControlProvider() {
            @Override
            public String name() {
                return "qformerlab-in-process";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return self;
            }
        };
    }
}
