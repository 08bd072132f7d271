package org.qformerlab.kernel.jjava;

import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.magic.CellMagic;
import org.dflib.jjava.jupyter.kernel.magic.LineMagic;
import org.qformerlab.blip2.nn.Devices;
import org.qformerlab.kernel.display.DisplaySink;
import org.qformerlab.kernel.display.Notebook;
import org.qformerlab.kernel.display.RichRenderers;
import org.qformerlab.kernel.magic.Magic;
import org.qformerlab.kernel.magic.MagicArgs;
import org.qformerlab.kernel.magic.MagicContext;
import org.qformerlab.kernel.magic.MagicState;
import org.qformerlab.kernel.magic.Magics;

/**
 * The QFormer Lab magics in a kernel users already have: a JJava extension (the
 * {@code org.dflib.jjava.jupyter.Extension} service), so that a JJava notebook that adds the kernel
 * jar ({@code %jars qformerlab-kernel.jar}, or the jar on the kernel's classpath) can call
 * {@code %qformer}, {@code %%config}, {@code %train}, {@code %eval}, {@code %ablate}, {@code %bench}...
 * with the same rich displays. JJava has its own {@code %maven}, {@code %classpath}, {@code %load}
 * and {@code %time}; those stay JJava's.
 *
 * <p>A magic's result cannot become a JShell variable from inside JJava's evaluation (the magic runs
 * inside it), so what a magic binds is kept here and fetched by name:
 * {@code var run = (Stage1Result) QFormerLabExtension.variable("run");} — the magic prints that line.
 */
public final class QFormerLabExtension implements Extension {

    /** The magics JJava brings itself. */
    static final Set<String> JJAVA_OWN = Set.of("maven", "classpath", "load", "time");

    private static final Map<String, Object> VARIABLES = new ConcurrentHashMap<>();

    private final MagicState state = new MagicState();
    private final Map<String, NDManager> managers = new LinkedHashMap<>();
    private NDManager base;

    /** What a magic bound to {@code name} in a JJava notebook. */
    public static Object variable(String name) {
        Object v = VARIABLES.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no QFormer Lab variable '" + name + "'; bound so far: " + VARIABLES.keySet());
        }
        return v;
    }

    @Override
    public void install(BaseKernel kernel) {
        RichRenderers.registerAll(kernel.getRenderer());
        DisplaySink sink = new BaseKernelDisplaySink(kernel);
        Notebook.useSink(sink);
        Magics magics = Magics.standard().only(m -> !JJAVA_OWN.contains(m.spec().name()));
        for (Magic magic : magics.all()) {
            String name = magic.spec().name();
            if (magic.spec().cell()) {
                kernel.getMagicsRegistry().registerCellMagic(name,
                        (CellMagic<Object, BaseKernel>) (k, words, body) -> run(magic, words, body, sink));
            } else {
                kernel.getMagicsRegistry().registerLineMagic(name,
                        (LineMagic<Object, BaseKernel>) (k, words) -> run(magic, words, null, sink));
            }
        }
    }

    @Override
    public void uninstall(BaseKernel kernel) {
        synchronized (managers) {
            managers.values().forEach(NDManager::close);
            managers.clear();
            if (base != null) {
                base.close();
                base = null;
            }
        }
    }

    private Object run(Magic magic, List<String> words, String body, DisplaySink sink) throws Exception {
        MagicArgs args = magic.parse(words);
        Context context = new Context(sink);
        try {
            magic.run(args, body, context);
        } catch (Exception | Error e) {
            context.pending.values().forEach(NDManager::close);
            throw e;
        }
        context.commit();
        return null;
    }

    /** A magic call's view of a JJava notebook. */
    private final class Context implements MagicContext {
        private final DisplaySink sink;
        private final Map<String, Object> bound = new LinkedHashMap<>();
        private final Map<String, String> types = new LinkedHashMap<>();
        private final Map<String, NDManager> pending = new LinkedHashMap<>();

        Context(DisplaySink sink) {
            this.sink = sink;
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
            bound.put(name, value);
            types.put(name, javaType);
        }

        @Override
        public MagicState state() {
            return state;
        }

        @Override
        public NDManager newVariableManager(String variable) {
            synchronized (managers) {
                if (base == null) {
                    base = NDManager.newBaseManager(Devices.resolve("auto"));
                }
                NDManager m = base.newSubManager();
                Optional.ofNullable(pending.put(variable, m)).ifPresent(NDManager::close);
                return m;
            }
        }

        void commit() {
            synchronized (managers) {
                pending.forEach((name, m) -> Optional.ofNullable(managers.put(name, m)).ifPresent(NDManager::close));
            }
            bound.forEach((name, value) -> {
                VARIABLES.put(name, value);
                System.out.println("bound " + name + ": var " + name + " = (" + types.get(name) + ") "
                        + QFormerLabExtension.class.getName() + ".variable(\"" + name + "\");");
            });
        }
    }
}
