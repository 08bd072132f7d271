package org.qformerlab.kernel.jshell;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands objects made by the kernel (a magic's Q-Former, a parsed config) to JShell variables.
 * Snippets run in the kernel's JVM, so a declaration like
 * {@code Blip2QFormer qformer = (Blip2QFormer) Bindings.take("b1");} picks the object up here.
 */
public final class Bindings {

    private static final Map<String, Object> PENDING = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong();

    private Bindings() {}

    /** Parks {@code value} and returns the key a snippet passes to {@link #take(String)}. */
    public static String put(Object value) {
        String key = "b" + NEXT.incrementAndGet();
        PENDING.put(key, value);
        return key;
    }

    /** Removes and returns the parked object (called from the generated declaration). */
    public static Object take(String key) {
        Object v = PENDING.remove(key);
        if (v == null) {
            throw new IllegalStateException("no pending binding " + key);
        }
        return v;
    }

    /**
     * The JShell declaration that binds {@code value} to {@code name} with static type {@code typeName}
     * (a Java type as written; the cast of a generic type is unchecked, which JShell allows).
     */
    public static String declaration(String name, String typeName, Object value) {
        return typeName + " " + name + " = (" + typeName + ") " + Bindings.class.getName()
                + ".take(\"" + put(value) + "\");";
    }
}
