package org.commvq.tornado.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * Decides once per JVM whether kernels can run here. Nothing TornadoVM is touched before the check of the SDK's
 * flags, because without them the runtime classes are absent and their static initialisers would throw.
 */
public final class TornadoCondition implements ExecutionCondition {
    private static Probe probe;

    /** The outcome of starting the runtime: a device description, or why there is none. */
    record Probe(boolean available, String message, TornadoVMBackendType backend) {
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Probe p = probe();
        return p.available() ? ConditionEvaluationResult.enabled(p.message())
                : ConditionEvaluationResult.disabled(p.message());
    }

    static synchronized Probe probe() {
        if (probe == null) {
            probe = start();
            System.err.println("[tornado-kernels] " + probe.message());
        }
        return probe;
    }

    private static Probe start() {
        if (System.getProperty("tornado.load.runtime.implementation") == null) {
            return new Probe(false, "TornadoVM tests skipped: the test JVM has no TornadoVM flags"
                    + " (export TORNADOVM_HOME=<SDK> before mvn; ./setup-tornado.sh prints it)", null);
        }
        try {
            TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
            if (runtime.getNumBackends() == 0) {
                return new Probe(false, "TornadoVM tests skipped: the runtime found no backend", null);
            }
            TornadoDevice device = runtime.getDefaultDevice();
            TornadoVMBackendType backend = device.getTornadoVMBackend();
            return new Probe(true, "TornadoVM tests run on " + backend + " device " + device.getDeviceName(), backend);
        } catch (Throwable t) {
            return new Probe(false, "TornadoVM tests skipped: the runtime did not start (" + t + ")", null);
        }
    }
}
