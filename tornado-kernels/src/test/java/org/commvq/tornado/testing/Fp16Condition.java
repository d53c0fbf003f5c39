package org.commvq.tornado.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;

/** Enables half-float tests only where the device compiles half floats (see {@link RequiresFp16}). */
public final class Fp16Condition implements ExecutionCondition {
    private static boolean reported;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        TornadoCondition.Probe p = TornadoCondition.probe();
        if (!p.available()) {
            return ConditionEvaluationResult.disabled(p.message());
        }
        boolean declared = Boolean.getBoolean("commvq.tornado.fp16")
                || "1".equals(System.getenv("COMMVQ_TORNADO_FP16"))
                || "true".equalsIgnoreCase(System.getenv("COMMVQ_TORNADO_FP16"));
        if (declared || p.backend() == TornadoVMBackendType.PTX) {
            return ConditionEvaluationResult.enabled("half floats available");
        }
        String reason = "fp16 kernel tests skipped: the " + p.backend() + " device is not known to compile half"
                + " floats (PoCL cannot); on an NVIDIA device pass -Dcommvq.tornado.fp16=true";
        report(reason);
        return ConditionEvaluationResult.disabled(reason);
    }

    private static synchronized void report(String reason) {
        if (!reported) {
            reported = true;
            System.err.println("[tornado-kernels] " + reason);
        }
    }
}
