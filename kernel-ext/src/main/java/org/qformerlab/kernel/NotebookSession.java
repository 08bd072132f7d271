package org.qformerlab.kernel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import org.qformerlab.kernel.jshell.Bindings;
import org.qformerlab.kernel.jshell.CellInterruptedException;
import org.qformerlab.kernel.jshell.CellThread;
import org.qformerlab.kernel.jshell.CompileException;
import org.qformerlab.kernel.jshell.UserCodeException;
import org.qformerlab.kernel.jshell.JavaEvaluator;
import org.qformerlab.kernel.magic.Magic;
import org.qformerlab.kernel.magic.MagicArgs;
import org.qformerlab.kernel.magic.MagicCall;
import org.qformerlab.kernel.magic.MagicState;
import org.qformerlab.kernel.magic.MagicUsageException;
import org.qformerlab.kernel.magic.Magics;
import org.qformerlab.kernel.magic.NotebookShell;
import org.qformerlab.kernel.magic.VariableManagers;
import org.qformerlab.kernel.display.DisplaySink;

/**
 * One notebook's state and how its cells run, independent of the Jupyter wire protocol: Java goes
 * to JShell, magics to their classes, both on the one {@link CellThread} that an interrupt stops.
 * Variables bound by magics are declared in JShell after the magic returns; arrays they own live in
 * a manager per variable, closed when the variable is rebound or the session closes.
 */
public final class NotebookSession implements AutoCloseable {

    /** What every notebook starts with imported. */
    public static final List<String> IMPORTS = List.of(
            "import java.util.*;",
            "import java.util.function.*;",
            "import java.util.stream.*;",
            "import java.util.concurrent.*;",
            "import java.io.*;",
            "import java.nio.file.*;",
            "import java.awt.image.BufferedImage;",
            "import ai.djl.ndarray.*;",
            "import ai.djl.ndarray.types.*;",
            "import tech.tablesaw.api.Table;",
            "import org.knowm.xchart.XYChart;",
            "import org.knowm.xchart.CategoryChart;",
            "import org.qformerlab.blip2.config.*;",
            "import org.qformerlab.blip2.qformer.*;",
            "import org.qformerlab.blip2.objectives.*;",
            "import org.qformerlab.blip2.data.*;",
            "import org.qformerlab.blip2.report.*;",
            "import org.qformerlab.blip2.train.*;",
            "import org.qformerlab.blip2.experiment.*;",
            "import org.qformerlab.blip2.experiment.config.*;",
            "import org.qformerlab.blip2.experiment.evaluation.*;",
            "import org.qformerlab.blip2.experiment.report.*;",
            "import org.qformerlab.blip2.nn.Devices;",
            "import org.qformerlab.blip2.nn.GradMode;",
            "import org.qformerlab.kernel.display.ProgressDisplay;",
            "import org.qformerlab.kernel.display.LivePlot;",
            "import org.qformerlab.kernel.display.TrainingDisplay;",
            "import org.qformerlab.kernel.display.ParameterSummary;",
            "import static org.qformerlab.kernel.display.Notebook.*;");

    private final CellThread cellThread = new CellThread();
    private final JavaEvaluator java;
    private final Magics magics;
    private final MagicState state = new MagicState();
    private final DisplaySink sink;
    private final VariableManagers variableManagers = new VariableManagers();

    public NotebookSession(DisplaySink sink, Magics magics, String classpath) {
        this.sink = sink;
        this.magics = magics;
        this.java = new JavaEvaluator(cellThread, classpath, IMPORTS);
    }

    /** Runs a cell; returns the value of its last expression when it ends in one. */
    public JavaEvaluator.Result execute(String cell) {
        JavaEvaluator.Result last = new JavaEvaluator.Result(false, null);
        for (CellParser.Part part : CellParser.parse(cell)) {
            if (part instanceof CellParser.Java j) {
                last = java.eval(j.code());
            } else if (part instanceof CellParser.Magic m) {
                runMagic(m);
                last = new JavaEvaluator.Result(false, null);
            }
        }
        return last;
    }

    private void runMagic(CellParser.Magic call) {
        String written = (call.cell() ? "%%" : "%") + call.name();
        Magic magic = magics.get(call.name()).orElseThrow(() -> new MagicUsageException(
                call.name().isEmpty()
                        ? "a magic needs a name after the percent sign; magics: " + magics.names()
                        : "unknown magic " + written + "; magics: " + magics.names() + " (see %help)"));
        if (!magic.accepts(call.cell())) {
            throw new MagicUsageException(magic.spec(), written + " is a " + (magic.spec().cell() ? "cell" : "line")
                    + " magic: write " + (magic.spec().cell() ? "%%" : "%") + call.name());
        }
        boolean raw = !call.cell() && magic.takesRawLine();
        MagicArgs args = raw ? MagicArgs.raw(magic.spec(), call.words()) : magic.parse(call.words());
        String body = raw ? call.line() : call.body();
        MagicCall run = new MagicCall(sink, state, variableManagers, shell);
        try {
            cellThread.run(() -> {
                magic.run(args, body, run);
                return null;
            });
        } catch (MagicUsageException | CellInterruptedException | MagicFailedException | CompileException
                 | UserCodeException e) {
            run.abandon(); // (the last three: a cell run by a magic, %time or %load, failed as a cell does)
            throw e;
        } catch (IllegalArgumentException e) {
            run.abandon();
            throw new MagicFailedException(call.name(), e, true);
        } catch (Exception e) {
            run.abandon();
            throw new MagicFailedException(call.name(), e, false);
        }
        for (MagicCall.Binding b : run.commit()) { // the magic's variables, declared in JShell
            java.eval(Bindings.declaration(b.name(), b.javaType(), b.value()));
        }
    }

    /**
     * Completion: magic names after a percent sign, then the magic's {@code --options} and its
     * positional choices (study names, magic names); otherwise JShell's.
     */
    public JavaEvaluator.Completions complete(String code, int cursor) {
        int lineStart = code.lastIndexOf('\n', Math.max(0, cursor - 1)) + 1;
        String line = code.substring(lineStart, Math.min(cursor, code.length()));
        String stripped = line.stripLeading();
        if (stripped.startsWith("%") && !stripped.contains(" ")) {
            String prefix = stripped.replaceFirst("^%+", "");
            List<String> names = magics.all().stream().map(m -> m.spec().name())
                    .filter(n -> n.startsWith(prefix)).collect(Collectors.toList());
            return new JavaEvaluator.Completions(names, cursor - prefix.length(), cursor);
        }
        if (stripped.startsWith("%")) {
            String name = stripped.replaceFirst("^%+", "").split("\\s+", 2)[0];
            Optional<Magic> magic = magics.get(name);
            if (magic.isPresent() && !magic.get().takesRawLine()) {
                String word = line.substring(line.lastIndexOf(' ') + 1);
                List<String> candidates = word.startsWith("-")
                        ? magic.get().spec().options().stream().map(o -> "--" + o.name())
                                .filter(o -> o.startsWith(word)).collect(Collectors.toList())
                        : magic.get().completePositional(word);
                return new JavaEvaluator.Completions(candidates, cursor - word.length(), cursor);
            }
        }
        return java.complete(code, cursor);
    }

    public Optional<String> inspect(String code, int cursor) {
        return java.inspect(code, cursor);
    }

    /** Whether a cell is ready to run: magics always are; Java when JShell says so. */
    public Completeness completeness(String code) {
        if (code.stripLeading().startsWith("%")) {
            return Completeness.COMPLETE;
        }
        return java.completeness(code);
    }

    /** The notebook's Java as magics see it. */
    private final NotebookShell shell = new NotebookShell() {
        private final List<Path> added = new ArrayList<>();

        @Override
        public Optional<Object> run(String code) {
            JavaEvaluator.Result r = execute(code);
            return r.hasValue() ? Optional.ofNullable(r.value()) : Optional.empty();
        }

        @Override
        public synchronized void addToClasspath(Path entry) {
            java.addToClasspath(entry.toAbsolutePath().normalize().toString());
            added.add(entry.toAbsolutePath().normalize());
        }

        @Override
        public synchronized List<Path> addedClasspath() {
            return List.copyOf(added);
        }
    };

    /** Stops the running cell (called from another thread). */
    public void interrupt() {
        cellThread.stop();
    }

    public MagicState state() {
        return state;
    }

    @Override
    public synchronized void close() {
        variableManagers.close();
        cellThread.close();
        java.close();
    }
}
