package org.qformerlab.kernel.jjava;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.magic.CellMagic;
import org.dflib.jjava.jupyter.kernel.magic.LineMagic;
import org.qformerlab.kernel.display.DisplaySink;
import org.qformerlab.kernel.display.Notebook;
import org.qformerlab.kernel.display.RichRenderers;
import org.qformerlab.kernel.magic.Magic;
import org.qformerlab.kernel.magic.MagicArgs;
import org.qformerlab.kernel.magic.MagicCall;
import org.qformerlab.kernel.magic.MagicState;
import org.qformerlab.kernel.magic.Magics;
import org.qformerlab.kernel.magic.VariableManagers;

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
    private final VariableManagers managers = new VariableManagers();

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
        managers.close();
    }

    private Object run(Magic magic, List<String> words, String body, DisplaySink sink) throws Exception {
        MagicArgs args = magic.parse(words);
        MagicCall call = new MagicCall(sink, state, managers, null); // JJava's own %load and %time run its Java
        try {
            magic.run(args, body, call);
        } catch (Exception | Error e) {
            call.abandon();
            throw e;
        }
        for (MagicCall.Binding b : call.commit()) {
            VARIABLES.put(b.name(), b.value());
            System.out.println("bound " + b.name() + ": var " + b.name() + " = (" + b.javaType() + ") "
                    + QFormerLabExtension.class.getName() + ".variable(\"" + b.name() + "\");");
        }
        return null;
    }
}
