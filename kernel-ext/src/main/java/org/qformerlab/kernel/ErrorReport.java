package org.qformerlab.kernel;

import java.util.ArrayList;
import java.util.List;
import org.qformerlab.kernel.jshell.CellInterruptedException;
import org.qformerlab.kernel.jshell.CompileException;
import org.qformerlab.kernel.jshell.UserCodeException;
import org.qformerlab.kernel.magic.MagicUsageException;

/**
 * How a failed cell reads in the notebook: as Java reports it, about the user's code, never as the
 * kernel's own stack.
 *
 * <ul>
 *   <li>compile error: javac's message, the cell line, a caret under the spot;
 *   <li>exception: {@code ExceptionClass: message}, then the frames of the cell (as
 *       {@code at cell, snippet #N line L}) and of the libraries it called, then its causes;
 *   <li>magic misuse: the message and the magic's usage line;
 *   <li>interrupt: one line saying the kernel is still alive.
 * </ul>
 *
 * @param name Jupyter's {@code ename}
 * @param message Jupyter's {@code evalue}
 * @param traceback the lines the notebook shows
 */
public record ErrorReport(String name, String message, List<String> traceback) {

    static final int MAX_FRAMES = 12;
    private static final int MAX_CAUSE_FRAMES = 4;

    public static ErrorReport of(Throwable e) {
        if (e instanceof CompileException c) {
            return new ErrorReport("CompileError", c.getMessage(), c.lines());
        }
        if (e instanceof UserCodeException u) {
            Throwable t = u.userException();
            return new ErrorReport(t.getClass().getName(), String.valueOf(t.getMessage()), javaTrace(t, true));
        }
        if (e instanceof CellInterruptedException) {
            return new ErrorReport("Interrupted", "the cell was interrupted",
                    List.of("Interrupted: the cell was stopped; the kernel is still running and keeps the"
                            + " variables defined before the stop."));
        }
        if (e instanceof MagicUsageException m) {
            List<String> lines = new ArrayList<>();
            lines.add("UsageError: " + m.getMessage());
            if (m.usage() != null) {
                lines.add("usage: " + m.usage().replace("\n", "\n       "));
            }
            return new ErrorReport("UsageError", m.getMessage(), lines);
        }
        if (e instanceof MagicFailedException f) {
            Throwable cause = f.getCause();
            String name = cause.getClass().getSimpleName();
            List<String> lines = new ArrayList<>();
            lines.add(f.getMessage());
            if (!f.inputError()) {
                List<String> trace = javaTrace(cause, false);
                lines.addAll(trace.subList(1, trace.size()));
            }
            return new ErrorReport(name, String.valueOf(cause.getMessage()), lines);
        }
        return new ErrorReport(e.getClass().getSimpleName(), String.valueOf(e.getMessage()), javaTrace(e, false));
    }

    /**
     * {@code Class: message} and the frames worth reading: the cell's own (JShell's {@code REPL.}
     * classes) and the libraries they called, down to the last cell frame; the kernel's machinery
     * below it is left out. Causes follow with a few frames each.
     */
    static List<String> javaTrace(Throwable t, boolean userCode) {
        List<String> lines = new ArrayList<>();
        lines.add(headline(t));
        lines.addAll(frames(t, userCode, MAX_FRAMES));
        Throwable cause = t.getCause();
        int depth = 0;
        while (cause != null && cause != t && depth++ < 5) {
            lines.add("Caused by: " + headline(cause));
            lines.addAll(frames(cause, userCode, MAX_CAUSE_FRAMES));
            t = cause;
            cause = cause.getCause();
        }
        return lines;
    }

    private static String headline(Throwable t) {
        return t.getMessage() == null ? t.getClass().getName() : t.getClass().getName() + ": " + t.getMessage();
    }

    private static List<String> frames(Throwable t, boolean userCode, int max) {
        StackTraceElement[] stack = t.getStackTrace();
        int end = stack.length;
        if (userCode) {
            int lastCell = -1;
            for (int i = 0; i < stack.length; i++) {
                if (isCellFrame(stack[i])) {
                    lastCell = i;
                }
            }
            if (lastCell >= 0) {
                end = lastCell + 1;
            }
        } else {
            for (int i = 0; i < stack.length; i++) {
                if (stack[i].getClassName().startsWith("org.qformerlab.kernel.")) {
                    end = i;
                    break;
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < end && out.size() < max; i++) {
            out.add("    at " + describe(stack[i]));
        }
        if (end > max) {
            out.add("    ... " + (end - max) + " more");
        }
        return out;
    }

    static boolean isCellFrame(StackTraceElement f) {
        return f.getClassName().startsWith("REPL.");
    }

    private static String describe(StackTraceElement f) {
        if (isCellFrame(f)) {
            String snippet = f.getFileName() == null ? "?" : f.getFileName().replace("#", "");
            String method = f.getMethodName().equals("do_it$") ? "cell" : f.getMethodName();
            return method + " (snippet #" + snippet + ", line " + f.getLineNumber() + ")";
        }
        return f.toString();
    }
}
