package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The notebook test's judgement of an executed notebook, on hand-made notebooks. */
class NotebookOutputsTest {

    private static List<String> problems(String cells) throws Exception {
        return NotebookOutputs.problems("nb", new ObjectMapper().readTree("{\"cells\": [" + cells + "]}"));
    }

    private static final String TABLE = "{\"cell_type\": \"code\", \"source\": \"%qformer tiny\", \"metadata\": {\"tags\": [\"expect-html\"]},"
            + " \"outputs\": [{\"output_type\": \"display_data\", \"data\": {\"text/html\": \"<table/>\", \"text/plain\": \"t\"}}]}";
    private static final String PICTURE = "{\"cell_type\": \"code\", \"source\": \"%masks\", \"metadata\": {\"tags\": [\"expect-png\"]},"
            + " \"outputs\": [{\"output_type\": \"display_data\", \"data\": {\"image/png\": \"iVBO\"}}]}";

    @Test
    void aCleanNotebookPasses() throws Exception {
        assertEquals(List.of(), problems(TABLE + "," + PICTURE));
    }

    @Test
    void errorsMissingTaggedOutputsAndMissingPicturesAreProblems() throws Exception {
        String failing = "{\"cell_type\": \"code\", \"source\": [\"int x = \\\"a\\\";\"], \"metadata\": {},"
                + " \"outputs\": [{\"output_type\": \"error\", \"ename\": \"CompileError\", \"evalue\": \"incompatible types\","
                + " \"traceback\": [\"error: incompatible types\"]}]}";
        List<String> p = problems(TABLE + "," + PICTURE + "," + failing);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("CompileError: incompatible types") && p.get(0).contains("int x = \"a\";"), p.get(0));

        String untaggedPng = PICTURE.replace("image/png", "text/plain");
        List<String> q = problems(TABLE + "," + untaggedPng);
        assertEquals(2, q.size(), q.toString());
        assertTrue(q.get(0).contains("tagged expect-png"), q.get(0));
        assertTrue(q.get(1).contains("no picture"), q.get(1));
    }
}
