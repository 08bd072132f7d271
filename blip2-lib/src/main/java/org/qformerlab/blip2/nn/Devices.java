package org.qformerlab.blip2.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * The one place where the compute device is chosen. Everything else asks here (through a
 * manager created for the chosen device), so no class hard-codes CPU or GPU.
 */
public final class Devices {

    private Devices() {}

    /**
     * Resolves {@code auto} (GPU when the engine sees one, else CPU), {@code cpu} or {@code gpu}
     * (also {@code gpu:N}).
     */
    public static Device resolve(String spec) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(Locale.ROOT);
        int gpus = Engine.getInstance().getGpuCount();
        switch (s) {
            case "auto":
                return gpus > 0 ? Device.gpu() : Device.cpu();
            case "cpu":
                return Device.cpu();
            default:
                if (s.equals("gpu") || s.startsWith("gpu:") || s.startsWith("cuda")) {
                    int id = s.contains(":") ? Integer.parseInt(s.substring(s.indexOf(':') + 1)) : 0;
                    if (gpus <= id) {
                        throw new IllegalArgumentException(
                                "device '" + spec + "' was asked for but the engine sees "
                                        + gpus + " GPU(s); use --device cpu or --device auto");
                    }
                    return Device.gpu(id);
                }
                throw new IllegalArgumentException(
                        "unknown device '" + spec + "': use auto, cpu, gpu or gpu:N");
        }
    }
}
