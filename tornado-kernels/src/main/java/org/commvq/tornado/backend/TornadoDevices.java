package org.commvq.tornado.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.commvq.model.backend.Availability;

import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * The TornadoVM runtime's devices: starting it, listing them, and choosing one from a --device suffix. Devices are
 * named {@code gpu:B.D} (backend index B, device index D, as TornadoVM numbers them) or {@code gpu:ptx},
 * {@code gpu:opencl} for the first device of that backend type; plain {@code gpu} is TornadoVM's default device.
 */
final class TornadoDevices {
    /** TornadoVM's own device-memory cap, read once when its runtime starts; 4GB where not set. */
    static final String MEMORY_CAP = "tornado.device.memory";
    /** Size of the buffer TornadoVM compiles a graph's bytecode into; 4096 bytes where not set. */
    static final String BYTECODE_SIZE = "tornado.tvm.maxbytecodesize";

    private TornadoDevices() {
    }

    static Availability start() {
        // TornadoVM refuses allocations past its cap before the device's real size is known; the session's budget,
        // sized from the device, is the limit that refuses models that do not fit, so TornadoVM's is lifted out of
        // its way unless the user set one.
        if (System.getProperty(MEMORY_CAP) == null) {
            System.setProperty(MEMORY_CAP, "1TB");
        }
        // A graph's compiled TornadoVM bytecode must fit this buffer; the default 4 KB overflowed with 8 blocks in one
        // graph, and 1 MB leaves room for any group size.
        if (System.getProperty(BYTECODE_SIZE) == null) {
            System.setProperty(BYTECODE_SIZE, Integer.toString(1 << 20));
        }
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        int devices = 0;
        for (int b = 0; b < runtime.getNumBackends(); b++) {
            devices += runtime.getBackend(b).getNumDevices();
        }
        if (devices == 0) {
            return Availability.no("TornadoVM started but found no device (" + runtime.getNumBackends()
                    + " backends, no OpenCL/CUDA device visible)");
        }
        return Availability.yes(devices + " TornadoVM device(s); default " + describe(runtime.getDefaultDevice()));
    }

    static List<String> list() {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        TornadoDevice fallback = runtime.getDefaultDevice();
        List<String> lines = new ArrayList<>();
        for (int b = 0; b < runtime.getNumBackends(); b++) {
            TornadoBackend backend = runtime.getBackend(b);
            for (int d = 0; d < backend.getNumDevices(); d++) {
                TornadoDevice device = backend.getDevice(d);
                boolean isDefault = device.getDeviceName().equals(fallback.getDeviceName())
                        && device.getTornadoVMBackend() == fallback.getTornadoVMBackend();
                lines.add(String.format(Locale.ROOT, "gpu:%d.%d%s  %s", b, d, isDefault ? " (default)" : "",
                        describe(device)));
            }
        }
        return lines;
    }

    /** The device a --device suffix names: "" (default), "ptx", "opencl", "spirv", or "B.D". */
    static TornadoDevice select(String spec) {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        if (spec.isEmpty()) {
            return runtime.getDefaultDevice();
        }
        if (spec.matches("\\d+\\.\\d+")) {
            String[] parts = spec.split("\\.");
            int b = Integer.parseInt(parts[0]);
            int d = Integer.parseInt(parts[1]);
            if (b >= runtime.getNumBackends() || d >= runtime.getBackend(b).getNumDevices()) {
                throw new IllegalArgumentException("--device gpu:" + spec + ": no such TornadoVM device (see"
                        + " `commvq devices`)");
            }
            return runtime.getBackend(b).getDevice(d);
        }
        for (int b = 0; b < runtime.getNumBackends(); b++) {
            TornadoBackend backend = runtime.getBackend(b);
            if (backend.getBackendType().name().equalsIgnoreCase(spec) && backend.getNumDevices() > 0) {
                return backend.getDevice(0);
            }
        }
        throw new IllegalArgumentException("--device gpu:" + spec + ": expected gpu, gpu:ptx, gpu:opencl or gpu:B.D,"
                + " and no TornadoVM backend of that type is loaded (see `commvq devices`)");
    }

    /**
     * Whether the device compiles half floats. NVIDIA devices do, through PTX and through OpenCL; PoCL's CPU device
     * does not; -Dcommvq.tornado.fp16=true declares another device capable.
     */
    static boolean halfFloats(TornadoDevice device) {
        return Boolean.getBoolean("commvq.tornado.fp16")
                || device.getTornadoVMBackend() == TornadoVMBackendType.PTX
                || device.getDeviceType() == TornadoDeviceType.GPU;
    }

    static String describe(TornadoDevice device) {
        return String.format(Locale.ROOT, "%s %s %s (%s), %.1f GiB", device.getTornadoVMBackend(),
                device.getDeviceType(), name(device), device.getPlatformName().strip(),
                device.getMaxGlobalMemory() / (double) (1L << 30));
    }

    /** The hardware's name; TornadoVM's own device name is only its index, e.g. "opencl-0-0". */
    static String name(TornadoDevice device) {
        return device.getPhysicalDevice().getDeviceName().strip();
    }

    /** A throwable as one line: its root cause's type and message. */
    static String oneLine(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        String text = root.getClass().getSimpleName() + (msg == null || msg.isBlank() ? "" : ": " + msg);
        // TornadoVM colours some of its messages with ANSI escapes.
        return text.replaceAll("\u001B\\[[;\\d]*m", "").replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
