package org.qformerlab.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

/**
 * Starts the kernel as Jupyter does: {@code java -jar qformerlab-kernel.jar CONNECTION_FILE}
 * (environment/install-kernel.sh writes the kernel spec that says so).
 */
public final class KernelMain {

    private KernelMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -Dai.djl.offline=true -jar qformerlab-kernel.jar CONNECTION_FILE\n"
                    + "Jupyter starts the kernel this way; install its kernel spec with environment/install-kernel.sh.");
            System.exit(2);
        }
        defaultProperty("ai.djl.offline", "true"); // nothing may download at run time
        defaultProperty("java.awt.headless", "true"); // charts are drawn off-screen
        defaultProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // keep cell output for the user
        // DJL probes for CUDA on every engine start and warns on a machine without a GPU driver.
        defaultProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");

        KernelConnectionProperties connection = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        QFormerLabKernel kernel = QFormerLabKernel.create(System.getProperty("java.class.path"));
        ignoreSigint(kernel);
        JupyterConnection wire = new JupyterConnection(connection);
        kernel.becomeHandlerForConnection(wire);
        kernel.onStartup();
        wire.connect();
        wire.waitUntilClose();
        System.exit(0);
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /**
     * A frontend that interrupts by signal (instead of the spec's interrupt_mode "message") would
     * kill the JVM with SIGINT; turn the signal into an interrupt of the running cell instead.
     */
    private static void ignoreSigint(QFormerLabKernel kernel) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> kernel.interrupt());
        } catch (Throwable e) {
            // no signal support on this platform: interrupts come by message only
        }
    }
}
