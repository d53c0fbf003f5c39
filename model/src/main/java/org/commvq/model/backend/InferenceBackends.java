package org.commvq.model.backend;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.commvq.model.load.LoadedModel;

/**
 * The backends of this JVM: the CPU, always, then those {@link ServiceLoader} finds on the class path. A provider
 * that is listed but cannot be loaded, and a GPU backend whose jar is absent, become unavailable entries that carry
 * the reason, so asking for them gives that reason rather than a stack trace.
 */
public final class InferenceBackends {
    /** The name the tornado-kernels jar registers its backend under. */
    public static final String GPU = "gpu";

    private InferenceBackends() {
    }

    public static List<InferenceBackend> all() {
        List<InferenceBackend> found = new ArrayList<>();
        found.add(new CpuBackend());
        Iterator<InferenceBackend> it = ServiceLoader.load(InferenceBackend.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                found.add(new Broken(GPU, "its provider could not be loaded (" + e.getMessage() + ")"));
            }
        }
        if (found.stream().noneMatch(b -> b.name().equals(GPU))) {
            found.add(new Broken(GPU, "no GPU backend on the class path: the commvq-tornado-kernels jar is missing"
                    + " (build it with a TornadoVM SDK, see ./setup-tornado.sh, and run through ./commvq)"));
        }
        return found;
    }

    /**
     * The backend of that name, ready to open sessions; otherwise an IllegalArgumentException whose message says
     * what is missing (a backend not on the class path, or its runtime not starting).
     */
    public static InferenceBackend require(String name) {
        for (InferenceBackend b : all()) {
            if (b.name().equals(name)) {
                Availability a = b.availability();
                if (!a.available()) {
                    throw new IllegalArgumentException(a.reason());
                }
                return b;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'");
    }

    /** A listed provider whose classes did not load, or the GPU backend whose jar is absent. */
    private record Broken(String name, String why) implements InferenceBackend {
        @Override
        public Availability availability() {
            return Availability.no(why);
        }

        @Override
        public List<String> devices() {
            return List.of();
        }

        @Override
        public InferenceSession open(LoadedModel model, SessionConfig config) {
            throw new IllegalStateException(why);
        }
    }
}
