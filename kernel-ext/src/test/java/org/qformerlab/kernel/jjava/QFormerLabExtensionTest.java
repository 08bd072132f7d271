package org.qformerlab.kernel.jjava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.kernel.magic.MagicUsageException;

/**
 * The magics as a JJava extension: a kernel built on jjava-jupyter (extensions enabled, as JJava's
 * own kernel is) finds the service on its classpath at start-up, and its magic registry runs them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QFormerLabExtensionTest {

    /** The least kernel on jjava-jupyter: line and cell magics through its registry, displays recorded. */
    static final class JJavaStyleKernel extends BaseKernel {
        final List<DisplayData> displayed = new ArrayList<>();

        JJavaStyleKernel() {
            super("jjava-style", "1", new LanguageInfo.Builder("java").build(), List.of(), null,
                    new JupyterIO(StandardCharsets.UTF_8), new CommManager(), new Renderer(), null,
                    new MagicsRegistry(), true, new StringStyler.Builder().build());
        }

        @Override
        public Object evalRaw(String source) {
            try {
                return magic(source);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private Object magic(String source) throws Exception {
            if (source.startsWith("%%")) {
                int nl = source.indexOf('\n');
                List<String> head = Arrays.asList(source.substring(2, nl).split(" "));
                return getMagicsRegistry().evalCellMagic(this, head.get(0), head.subList(1, head.size()), source.substring(nl + 1));
            }
            List<String> words = Arrays.asList(source.substring(1).split(" "));
            return getMagicsRegistry().evalLineMagic(this, words.get(0), words.subList(1, words.size()));
        }

        @Override
        public void display(DisplayData data) {
            displayed.add(data);
        }

        @Override
        public DisplayData inspect(String code, int at, boolean extraDetail) {
            return null;
        }

        @Override
        public ReplacementOptions complete(String code, int at) {
            return null;
        }

        @Override
        public String isComplete(String code) {
            return IS_COMPLETE_YES;
        }
    }

    private final JJavaStyleKernel kernel = new JJavaStyleKernel();

    @BeforeAll
    void start() {
        kernel.onStartup(); // installs every Extension service on the classpath, as JJava does
    }

    @AfterAll
    void stop() {
        kernel.onShutdown(false);
    }

    @Test
    void theMagicsAreRegisteredExceptThoseJJavaHasItself() {
        assertTrue(kernel.getMagicsRegistry().getLineMagicNames().containsAll(
                List.of("help", "qformer", "masks", "data", "train", "eval", "ablate")),
                kernel.getMagicsRegistry().getLineMagicNames().toString());
        assertTrue(kernel.getMagicsRegistry().getCellMagicNames().contains("config"));
        for (String own : QFormerLabExtension.JJAVA_OWN) {
            assertFalse(kernel.getMagicsRegistry().getLineMagicNames().contains(own), own);
        }
    }

    @Test
    void aMagicShowsItsTableAndBindsItsModel() throws Exception {
        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            kernel.evalRaw("%qformer tiny --queries 6 --as small");
        } finally {
            System.setOut(before);
        }
        DisplayData table = kernel.displayed.get(kernel.displayed.size() - 1);
        assertTrue(String.valueOf(table.getData(MIMEType.TEXT_HTML)).contains("<table"), String.valueOf(table.getData(MIMEType.TEXT_PLAIN)));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("bound small: var small = (org.qformerlab.blip2.qformer.Blip2QFormer) "
                + QFormerLabExtension.class.getName() + ".variable(\"small\");"), out.toString(StandardCharsets.UTF_8));
        Blip2QFormer small = assertInstanceOf(Blip2QFormer.class, QFormerLabExtension.variable("small"));
        assertEquals(6, small.config().numQueries());
    }

    @Test
    void aBadCallIsAUsageErrorNamingTheOption() {
        MagicUsageException e = assertThrows(MagicUsageException.class, () -> kernel.evalRaw("%qformer tiny --queries many"));
        assertEquals("--queries wants a whole number, got 'many'", e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> QFormerLabExtension.variable("nothing"));
        assertTrue(none.getMessage().startsWith("no QFormer Lab variable 'nothing'"), none.getMessage());
    }
}
