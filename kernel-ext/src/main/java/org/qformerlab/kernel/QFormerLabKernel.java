package org.qformerlab.kernel;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.dflib.jjava.jupyter.kernel.util.TextColor;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.publish.PublishError;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteInput;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteResult;
import org.dflib.jjava.jupyter.messages.reply.ErrorReply;
import org.dflib.jjava.jupyter.messages.reply.ExecuteReply;
import org.dflib.jjava.jupyter.messages.request.ExecuteRequest;
import org.qformerlab.kernel.display.DisplaySink;
import org.qformerlab.kernel.display.Notebook;
import org.qformerlab.kernel.display.RichRenderers;
import org.qformerlab.kernel.jshell.JavaEvaluator;
import org.qformerlab.kernel.magic.Magics;

/**
 * The QFormer Lab Jupyter kernel: JJava's wire protocol, a {@link NotebookSession} behind it
 * (JShell + magics), the project's rich displays, and errors reported as Java reports them.
 */
public final class QFormerLabKernel extends BaseKernel {

    public static final String VERSION = "0.1.0";

    private final KernelIO kernelIO;
    private final NotebookSession session;

    private QFormerLabKernel(KernelIO io, Renderer renderer, String classpath) {
        super("qformerlab", VERSION,
                new LanguageInfo.Builder("java")
                        .version(Runtime.version().toString())
                        .mimetype("text/x-java-source")
                        .fileExtension(".jshell")
                        .pygments("java")
                        .codemirror("text/x-java")
                        .build(),
                List.of(new HelpLink("QFormer Lab magics: %help", "https://jupyter.org")),
                null, io, new CommManager(), renderer,
                null, null, // magics are parsed and run by NotebookSession, not transpiled into Java
                false, new StringStyler.Builder().addPrimaryStyle(TextColor.BOLD_RESET_FG).build());
        this.kernelIO = io;
        RichRenderers.registerAll(renderer);
        DisplaySink sink = new KernelDisplaySink();
        Notebook.useSink(sink);
        this.session = new NotebookSession(sink, Magics.standard(), classpath);
    }

    /** A kernel whose notebooks compile against {@code classpath} (the kernel jar in practice). */
    public static QFormerLabKernel create(String classpath) {
        return new QFormerLabKernel(new KernelIO(), new Renderer(), classpath);
    }

    public NotebookSession session() {
        return session;
    }

    @Override
    public String getBanner() {
        return "QFormer Lab " + VERSION + " (Java " + Runtime.version() + ", JShell): %help lists the magics";
    }

    @Override
    public Object evalRaw(String source) {
        JavaEvaluator.Result r = session.execute(source);
        return r.hasValue() ? r.value() : null;
    }

    @Override
    public DisplayData eval(String source) {
        Object value = evalRaw(source);
        if (value == null) {
            return null;
        }
        return value instanceof DisplayData d ? d : getRenderer().render(value);
    }

    /**
     * As {@link BaseKernel}'s, except that a failure is reported by {@link ErrorReport} (the user's
     * exception class and frames, compile errors with their line) rather than as a kernel stack trace.
     */
    @Override
    protected synchronized void handleExecuteRequest(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        commManager.setMessageContext(message);
        ExecuteRequest request = message.getContent();
        int count = executionCount.getAndIncrement();
        env.setBusyDeferIdle();
        env.publish(new PublishExecuteInput(request.getCode(), count));
        replaceOutputStreams(env);
        kernelIO.attach(env, request.isStdinEnabled());
        env.defer(() -> kernelIO.detach(env));
        try {
            DisplayData out = eval(request.getCode());
            System.out.flush();
            System.err.flush();
            if (out != null) {
                env.publish(new PublishExecuteResult(count, out));
            }
            env.defer().reply(new ExecuteReply(count, Collections.emptyMap()));
        } catch (Throwable e) {
            System.out.flush();
            System.err.flush();
            ErrorReport report = ErrorReport.of(e);
            ErrorReply error = new ErrorReply(report.name(), report.message(), report.traceback());
            error.setExecutionCount(count);
            env.publish(new PublishError(report.name(), report.message(), report.traceback()));
            env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), error);
        }
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        Optional<String> doc = session.inspect(code, at);
        return doc.map(DisplayData::new).orElse(null);
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        JavaEvaluator.Completions c = session.complete(code, at);
        return new ReplacementOptions(c.candidates(), c.start(), c.end());
    }

    @Override
    public String isComplete(String code) {
        Completeness c = session.completeness(code);
        switch (c) {
            case COMPLETE:
            case COMPLETE_WITH_SEMI:
            case EMPTY:
                return IS_COMPLETE_YES;
            case DEFINITELY_INCOMPLETE:
            case CONSIDERED_INCOMPLETE:
                return "    ";
            default:
                return IS_COMPLETE_BAD;
        }
    }

    @Override
    public void interrupt() {
        session.interrupt();
    }

    @Override
    public List<String> formatError(Throwable e) {
        return ErrorReport.of(e).traceback();
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        session.close();
        super.onShutdown(isRestarting);
    }

    /** Displays through this kernel: rendered by its renderer, published with a display id. */
    private final class KernelDisplaySink implements DisplaySink {
        @Override
        public String display(Object value) {
            DisplayData data = render(value);
            String id = UUID.randomUUID().toString();
            data.setDisplayId(id);
            QFormerLabKernel.this.display(data);
            return id;
        }

        @Override
        public String display(Object value, String... mimeTypes) {
            DisplayData data = value instanceof DisplayData d ? d : getRenderer().renderAs(value, mimeTypes);
            String id = UUID.randomUUID().toString();
            data.setDisplayId(id);
            QFormerLabKernel.this.display(data);
            return id;
        }

        @Override
        public void update(String displayId, Object value) {
            getIO().display.updateDisplay(displayId, render(value));
        }

        private DisplayData render(Object value) {
            if (value instanceof DisplayData d) {
                return d;
            }
            return value == null ? new DisplayData("null") : getRenderer().render(value);
        }
    }
}
