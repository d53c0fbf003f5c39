package org.commvq.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.commvq.model.backend.Availability;
import org.commvq.model.backend.InferenceBackend;
import org.commvq.model.backend.InferenceBackends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Every backend of this JVM with its devices, or the reason it has none; never fails for a missing GPU. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the devices --device can name: the CPU, and TornadoVM's devices (or why there are none).")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    DebugOption debugOption;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (InferenceBackend backend : InferenceBackends.all()) {
            Availability a = backend.availability();
            if (!a.available()) {
                out.printf("%s: unavailable: %s%n", backend.name(), a.reason());
                continue;
            }
            out.printf("%s:%n", backend.name());
            for (String device : backend.devices()) {
                out.printf("  %s%n", device);
            }
        }
        return 0;
    }
}
