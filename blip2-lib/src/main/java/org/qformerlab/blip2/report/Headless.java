package org.qformerlab.blip2.report;

/**
 * Makes AWT render off-screen. Reports are drawn on servers, in CI and inside notebook kernels, none
 * of which has a display; an explicit {@code -Djava.awt.headless=...} from the user is respected.
 */
final class Headless {

    private static final String PROPERTY = "java.awt.headless";

    private Headless() {
    }

    /** Sets {@code java.awt.headless=true} unless the property is already set. */
    static void ensure() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "true");
        }
    }
}
