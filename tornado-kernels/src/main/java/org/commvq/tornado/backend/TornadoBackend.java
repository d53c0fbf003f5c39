package org.commvq.tornado.backend;

import java.util.List;

import org.commvq.model.backend.Availability;
import org.commvq.model.backend.InferenceBackend;
import org.commvq.model.backend.InferenceSession;
import org.commvq.model.backend.SessionConfig;
import org.commvq.model.load.LoadedModel;

/**
 * The "gpu" backend: the whole decode step on a TornadoVM device. This class names no TornadoVM type, so the
 * ServiceLoader can instantiate it in a JVM started without TornadoVM; {@link #availability()} then says what is
 * missing, and only after that check does anything touch the runtime.
 */
public final class TornadoBackend implements InferenceBackend {
    public static final String NAME = "gpu";
    private static Availability probed;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        return probe();
    }

    @Override
    public List<String> devices() {
        return probe().available() ? TornadoDevices.list() : List.of();
    }

    @Override
    public InferenceSession open(LoadedModel model, SessionConfig config) {
        Availability a = probe();
        if (!a.available()) {
            throw new IllegalStateException(a.reason());
        }
        return TornadoSession.open(model, config);
    }

    /** Starts the runtime once per JVM; a failure is remembered as the reason. */
    private static synchronized Availability probe() {
        if (probed == null) {
            probed = start();
        }
        return probed;
    }

    private static Availability start() {
        if (System.getProperty("tornado.load.runtime.implementation") == null) {
            return Availability.no("TornadoVM is not loaded: this JVM was started without a TornadoVM SDK's flags"
                    + " (export TORNADOVM_HOME=<TornadoVM 5.2 SDK> and run through ./commvq, which adds its argfile;"
                    + " ./setup-tornado.sh finds one)");
        }
        try {
            return TornadoDevices.start();
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("the TornadoVM runtime did not start (" + TornadoDevices.oneLine(e) + ")");
        }
    }
}
