package org.qformerlab.kernel.display;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.common.Image;
import org.dflib.jjava.jupyter.kernel.display.common.Text;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.qformerlab.blip2.qformer.AttentionMask;
import org.qformerlab.blip2.report.Charts;
import org.qformerlab.blip2.report.Tables;

/** The MIME types each kind of value is shown as. */
class RichRenderersTest {

    private static Renderer renderer() {
        Renderer r = new Renderer();
        Image.registerAll(r);
        Text.registerAll(r);
        RichRenderers.registerAll(r);
        return r;
    }

    private static void assertPng(Object base64) {
        byte[] bytes = Base64.getDecoder().decode((String) base64);
        assertTrue(bytes.length > 100 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', "a PNG");
    }

    @Test
    void chartsArePngAndSvgOnRequest() {
        var chart = Charts.lossCurves("demo", Map.of("itc", new double[][] {{0, 1}, {2, 1}}));
        DisplayData d = renderer().render(chart);
        assertPng(d.getData(MIMEType.IMAGE_PNG));
        DisplayData svg = renderer().renderAs(chart, "image/svg+xml");
        assertTrue(((String) svg.getData(MIMEType.IMAGE_SVG)).contains("<svg"));
    }

    @Test
    void tablesAreHtmlAndText() {
        var table = Tables.fromRows(List.of(Map.of("queries", 8, "r1", 0.4)));
        DisplayData d = renderer().render(table);
        assertTrue(((String) d.getData(MIMEType.TEXT_HTML)).contains("<table"));
        assertTrue(((String) d.getData(MIMEType.TEXT_PLAIN)).contains("queries"));
    }

    @Test
    void masksAreLabelledHeatmaps() {
        DisplayData d = renderer().render(AttentionMask.unimodal(2, 2));
        assertPng(d.getData(MIMEType.IMAGE_PNG));
        assertTrue(((String) d.getData(MIMEType.TEXT_PLAIN)).contains("uni-modal"));
    }

    @Test
    void progressIsHtml() {
        var snap = new ProgressDisplay.Snapshot("x", 1, 2, "", false);
        assertTrue(((String) renderer().render(snap).getData(MIMEType.TEXT_HTML)).contains("<progress"));
    }
}
