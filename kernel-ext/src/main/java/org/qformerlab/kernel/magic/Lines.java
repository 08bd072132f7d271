package org.qformerlab.kernel.magic;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A {@link PrintStream} that hands each complete line to a consumer: how a magic turns the library's
 * progress lines (a {@code PrintStream} API) into notebook output and progress-bar updates.
 */
final class Lines extends OutputStream {

    private final Consumer<String> consumer;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private Lines(Consumer<String> consumer) {
        this.consumer = consumer;
    }

    static PrintStream to(Consumer<String> consumer) {
        return new PrintStream(new Lines(consumer), true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            consumer.accept(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void flush() {
        // a partial line waits for its end
    }
}
