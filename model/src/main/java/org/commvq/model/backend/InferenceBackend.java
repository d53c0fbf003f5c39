package org.commvq.model.backend;

import java.util.List;
import org.commvq.model.load.LoadedModel;

/**
 * A place the forward pass can run: the CPU, built in, or an accelerator backend found at run time with
 * {@link java.util.ServiceLoader} (the tornado-kernels jar registers one named "gpu"). An implementation must load
 * without its runtime present: only {@link #availability()} may find out that the runtime is missing, and it says why.
 */
public interface InferenceBackend {
    /** The --device name, e.g. "cpu" or "gpu". */
    String name();

    /** Whether sessions can be opened here, or the one-line reason they cannot. */
    Availability availability();

    /** One line per device this backend can run on, for `commvq devices`; empty when unavailable. */
    List<String> devices();

    /** Loads the model onto the device and allocates its cache; the caller closes the session. */
    InferenceSession open(LoadedModel model, SessionConfig config);
}
