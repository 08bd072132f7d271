package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.kernel.jshell.CompileException;
import org.qformerlab.kernel.magic.MagicUsageException;

/** The magics Java notebook users know from IJava and JJava: %maven, %classpath, %load, %time / %%time. */
class JavaNotebookMagicsTest extends SessionTest {

    /** What a cell printed. */
    private String printed(String cell) {
        PrintStream before = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            session.execute(cell);
        } finally {
            System.setOut(before);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void mavenResolvesAnArtifactWithItsDependenciesFromTheLocalRepository() {
        // commons-text 1.12.0 needs commons-lang3; both are in the local repository, so this runs offline
        String out = printed("%maven org.apache.commons:commons-text:1.12.0 --offline");
        assertTrue(out.startsWith("added 2 jars to the classpath: commons-text-1.12.0.jar, commons-lang3-"), out);
        assertEquals("Hello World", value("org.apache.commons.text.WordUtils.capitalize(\"hello world\")"));
    }

    @Test
    void mavenNamesBadCoordinatesInOneLine() {
        MagicFailedException e = assertThrows(MagicFailedException.class, () -> session.execute("%maven commons-text"));
        assertEquals("%maven: bad coordinates 'commons-text': write GROUP:ARTIFACT:VERSION,"
                + " e.g. org.apache.commons:commons-text:1.12.0", e.getMessage());
        assertEquals(1, ErrorReport.of(e).traceback().size(), ErrorReport.of(e).traceback().toString());
    }

    @Test
    void mavenSaysWhereAMissingArtifactWasLookedFor() {
        MagicFailedException e = assertThrows(MagicFailedException.class,
                () -> session.execute("%maven org.qformerlab.nope:no-such-artifact:9.9 --offline"));
        assertTrue(e.getMessage().startsWith("%maven: cannot resolve org.qformerlab.nope:no-such-artifact:9.9 from the"
                + " local repository "), e.getMessage());
        assertTrue(e.getMessage().contains("(offline)") && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void classpathAddsAJarThatLaterCellsCompileAgainst(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src/demo/Greeter.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package demo; public class Greeter { public static String hi(String n) { return \"hi \" + n; } }");
        Path classes = dir.resolve("classes");
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString()));
        String out = printed("%classpath " + classes);
        assertEquals("added to the classpath: " + classes.toAbsolutePath().normalize(), out.strip());
        assertEquals("hi ada", value("demo.Greeter.hi(\"ada\")"));
        assertTrue(printed("%classpath").contains(classes.toAbsolutePath().normalize().toString()));
    }

    @Test
    void classpathRefusesAPathThatIsNotThere(@TempDir Path dir) {
        MagicUsageException e = assertThrows(MagicUsageException.class,
                () -> session.execute("%classpath " + dir.resolve("missing.jar")));
        assertTrue(e.getMessage().startsWith("no jar or folder " + dir.resolve("missing.jar")), e.getMessage());
    }

    @Test
    void loadRunsASnippetFileWhoseDeclarationsStay(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("helpers.jsh");
        Files.writeString(file, "int twice(int x) { return 2 * x; }\nString greeting = \"loaded\";\n");
        session.execute("%load " + file);
        assertEquals(42, value("twice(21)"));
        assertEquals("loaded", value("greeting"));
        MagicUsageException e = assertThrows(MagicUsageException.class, () -> session.execute("%load " + dir.resolve("nope.jsh")));
        assertTrue(e.getMessage().startsWith("no file " + dir.resolve("nope.jsh") + " to load"), e.getMessage());
    }

    @Test
    void timeRunsTheLineAsJavaAndPrintsWallAndCpu() {
        int before = sink.displayed(Object.class).size();
        String out = printed("%time List.of(\"a b\", \"c\").stream().mapToInt(String::length).sum()");
        assertTrue(out.strip().matches("time: wall [0-9.]+ m?s, cpu [0-9.]+ m?s"), out);
        List<Object> shown = sink.displayed(Object.class);
        assertEquals(4, shown.get(shown.size() - 1), "the line's value is shown (the quoted blank kept)");
        assertEquals(before + 1, shown.size());
    }

    @Test
    void cellTimeRunsTheWholeCellAndDeclarationsStay() {
        String out = printed("%%time\nint timedSum = 0;\nfor (int i = 1; i <= 10; i++) timedSum += i;");
        assertTrue(out.strip().startsWith("time: wall "), out);
        assertEquals(55, value("timedSum"));
    }

    @Test
    void timeWithNothingToTimeOrBrokenJavaFails() {
        MagicUsageException e = assertThrows(MagicUsageException.class, () -> session.execute("%time"));
        assertTrue(e.getMessage().startsWith("nothing to time"), e.getMessage());
        assertThrows(CompileException.class, () -> session.execute("%time int y = \"text\";"));
    }

    @Test
    void completionOffersMagicsAndTheirOptions() {
        assertTrue(session.complete("%mav", 4).candidates().contains("maven"));
        String line = "%maven org.x:y:1 --off";
        var c = session.complete(line, line.length());
        assertEquals(List.of("--offline"), c.candidates());
        assertEquals(line.length() - "--off".length(), c.start());
        String train = "%train stage1 --s";
        assertEquals(List.of("--steps", "--seed", "--set", "--scratch"), session.complete(train, train.length()).candidates());
    }
}
