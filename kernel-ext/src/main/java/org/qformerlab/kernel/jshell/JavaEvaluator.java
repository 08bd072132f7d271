package org.qformerlab.kernel.jshell;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

/**
 * Evaluates the Java of a notebook cell with JShell: splits the cell into snippets, runs them in
 * order, stops at the first that does not compile or throws, and returns the value of the last
 * snippet when it is an expression (the cell's result, which the notebook displays).
 *
 * <p>Also answers the editor's questions: completion ({@link #complete}), documentation
 * ({@link #inspect}) and whether a fragment is complete ({@link #isComplete}).
 */
public final class JavaEvaluator implements AutoCloseable {

    /** The cell's result: its last expression's value, if the last snippet was an expression. */
    public record Result(boolean hasValue, Object value) {
        static final Result NONE = new Result(false, null);
    }

    /** Completion candidates replacing {@code [start, end)} of the cell. */
    public record Completions(List<String> candidates, int start, int end) {}

    private final JShell shell;
    private final InProcessExecutionControl control;

    /**
     * @param cellThread where snippets run
     * @param classpath what snippets compile against (the kernel's own classpath in practice)
     * @param imports declarations run once at start ({@code import ...;})
     */
    public JavaEvaluator(CellThread cellThread, String classpath, List<String> imports) {
        this.control = new InProcessExecutionControl(cellThread);
        this.shell = JShell.builder().executionEngine(control.provider(), null).build();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                shell.addToClasspath(entry);
            }
        }
        for (String declaration : imports) {
            Result ignored = eval(declaration);
        }
    }

    /**
     * Runs every snippet of {@code code}.
     *
     * @throws CompileException if a snippet does not compile (earlier snippets have run)
     * @throws UserCodeException if a snippet throws
     * @throws CellInterruptedException if an interrupt stopped it
     */
    public synchronized Result eval(String code) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = code;
        Result last = Result.NONE;
        try {
            while (!remaining.isBlank()) {
                int offset = code.length() - remaining.length();
                CompletionInfo info = analysis.analyzeCompletion(remaining);
                if (info.completeness() == Completeness.EMPTY) {
                    break;
                }
                if (!info.completeness().isComplete()) {
                    throw incomplete(code, offset, remaining);
                }
                last = evalSnippet(info.source(), code, offset + leadingBlank(remaining));
                remaining = info.remaining();
            }
            return last;
        } finally {
            control.clearValues();
        }
    }

    private Result evalSnippet(String source, String cell, int cellOffset) {
        List<SnippetEvent> events = shell.eval(source);
        if (control.takeInterrupted()) {
            throw new CellInterruptedException();
        }
        Result result = Result.NONE;
        for (SnippetEvent event : events) {
            if (event.causeSnippet() != null) {
                continue; // a dependent snippet updated by this one
            }
            Snippet snippet = event.snippet();
            if (event.status() == Snippet.Status.REJECTED) {
                throw compileError(snippet, cell, cellOffset);
            }
            if (event.exception() != null) {
                Throwable thrown = control.takeThrown();
                if (event.exception() instanceof UnresolvedReferenceException unresolved) {
                    throw unresolved(unresolved, cell, cellOffset);
                }
                if (thrown != null) {
                    throw new UserCodeException(thrown);
                }
                throw new UserCodeException(readable(event.exception()));
            }
            Object value = InProcessExecutionControl.isValueKey(event.value())
                    ? control.takeValue(event.value())
                    : null;
            result = displays(snippet) ? new Result(true, value) : Result.NONE;
        }
        return result;
    }

    private static boolean displays(Snippet snippet) {
        return snippet instanceof ExpressionSnippet
                || (snippet instanceof VarSnippet
                        && snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND);
    }

    private CompileException compileError(Snippet snippet, String cell, int cellOffset) {
        List<Diag> diags = shell.diagnostics(snippet).filter(Diag::isError).collect(Collectors.toList());
        String source = snippet.source();
        List<String> lines = new ArrayList<>();
        String first = null;
        for (Diag d : diags) {
            String message = d.getMessage(Locale.ROOT);
            if (first == null) {
                first = message.lines().findFirst().orElse(message);
            }
            lines.add("error: " + message);
            lines.addAll(pointAt(source, (int) d.getPosition(), cell, cellOffset));
        }
        if (first == null) {
            first = "the snippet was rejected";
            lines.add("error: " + first);
            lines.addAll(pointAt(source, 0, cell, cellOffset));
        }
        return new CompileException(first, lines);
    }

    private CompileException unresolved(UnresolvedReferenceException e, String cell, int cellOffset) {
        Snippet s = e.getSnippet();
        String what = s instanceof jdk.jshell.DeclarationSnippet d ? d.name() : s.source();
        String unresolvedNames = shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) s)
                .collect(Collectors.joining(", "));
        String message = "'" + what + "' uses " + unresolvedNames + ", which is not defined yet";
        List<String> lines = new ArrayList<>();
        lines.add("error: " + message);
        lines.addAll(pointAt(s.source(), 0, cell, cellOffset));
        return new CompileException(message, lines);
    }

    private static CompileException incomplete(String cell, int offset, String remaining) {
        String message = "incomplete Java at the end of the cell (a missing ';', ')' or '}'?)";
        List<String> lines = new ArrayList<>();
        lines.add("error: " + message);
        int at = leadingBlank(remaining);
        lines.addAll(pointAt(remaining, at, cell, offset));
        return new CompileException(message, lines);
    }

    /** The cell line holding {@code position} of the snippet, with a caret under it. */
    private static List<String> pointAt(String snippetSource, int position, String cell, int cellOffset) {
        int pos = Math.max(0, Math.min(position, snippetSource.length()));
        int lineStart = snippetSource.lastIndexOf('\n', pos - 1) + 1;
        int lineEnd = snippetSource.indexOf('\n', pos);
        String line = snippetSource.substring(lineStart, lineEnd < 0 ? snippetSource.length() : lineEnd);
        // Where that line is in the cell: JShell may normalise a snippet's source, so find the text.
        int from = Math.min(cell.length(), Math.max(0, cellOffset));
        int found = line.isBlank() ? -1 : cell.indexOf(line.strip(), from);
        int cellLine = 1 + (found >= 0
                ? countNewlines(cell, found)
                : countNewlines(cell, from) + countNewlines(snippetSource, lineStart));
        String prefix = "  line " + cellLine + ": ";
        List<String> out = new ArrayList<>();
        out.add(prefix + line.stripTrailing());
        out.add(" ".repeat(prefix.length() + (pos - lineStart)) + "^");
        return out;
    }

    private static int countNewlines(String s, int end) {
        int n = 0;
        for (int i = 0; i < end; i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static int leadingBlank(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** JShell's own exception for a failure it reports without the object (rare): keep its text. */
    private static Throwable readable(jdk.jshell.JShellException e) {
        if (e instanceof EvalException ee) {
            RuntimeException r = new RuntimeException(ee.getExceptionClassName() + ": " + ee.getMessage());
            r.setStackTrace(ee.getStackTrace());
            return r;
        }
        return e;
    }

    /** Completion candidates at {@code cursor} (an offset into {@code code}). */
    public synchronized Completions complete(String code, int cursor) {
        Fragment f = fragmentAt(code, cursor);
        int[] anchor = new int[1];
        List<SourceCodeAnalysis.Suggestion> suggestions =
                shell.sourceCodeAnalysis().completionSuggestions(f.text(), f.text().length(), anchor);
        List<String> candidates = suggestions.stream()
                .sorted((a, b) -> Boolean.compare(b.matchesType(), a.matchesType()))
                .map(SourceCodeAnalysis.Suggestion::continuation)
                .distinct()
                .collect(Collectors.toList());
        return new Completions(candidates, f.offset() + anchor[0], cursor);
    }

    /** Signatures and javadoc of what is under the cursor, or empty. */
    public synchronized Optional<String> inspect(String code, int cursor) {
        Fragment f = fragmentAt(code, cursor);
        List<SourceCodeAnalysis.Documentation> docs =
                shell.sourceCodeAnalysis().documentation(f.text(), f.text().length(), true);
        if (docs.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(docs.stream()
                .map(d -> d.javadoc() == null || d.javadoc().isBlank()
                        ? d.signature()
                        : d.signature() + "\n\n" + d.javadoc())
                .collect(Collectors.joining("\n\n")));
    }

    /** Whether {@code code} is complete Java ("complete"), unfinished ("incomplete") or broken. */
    public synchronized Completeness completeness(String code) {
        String remaining = code;
        Completeness last = Completeness.EMPTY;
        while (!remaining.isBlank()) {
            CompletionInfo info = shell.sourceCodeAnalysis().analyzeCompletion(remaining);
            last = info.completeness();
            if (!last.isComplete() || info.remaining() == null) {
                return last;
            }
            remaining = info.remaining();
        }
        return last;
    }

    /** The current (unfinished) snippet that ends at the cursor, and where it starts. */
    private record Fragment(String text, int offset) {}

    private Fragment fragmentAt(String code, int cursor) {
        String before = code.substring(0, Math.max(0, Math.min(cursor, code.length())));
        String remaining = before;
        while (!remaining.isBlank()) {
            CompletionInfo info = shell.sourceCodeAnalysis().analyzeCompletion(remaining);
            if (!info.completeness().isComplete() || info.remaining() == null
                    || info.remaining().isBlank() || info.remaining().length() >= remaining.length()) {
                break;
            }
            remaining = info.remaining();
        }
        return new Fragment(remaining, before.length() - remaining.length());
    }

    /** Adds a jar or class folder: later snippets compile against it and load its classes. */
    public synchronized void addToClasspath(String entry) {
        shell.addToClasspath(entry);
    }

    /** Stops the running snippet (from another thread). */
    public void stop() {
        control.stop();
    }

    @Override
    public void close() {
        shell.close();
    }
}
