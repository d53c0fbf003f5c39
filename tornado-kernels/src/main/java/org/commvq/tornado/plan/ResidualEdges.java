package org.commvq.tornado.plan;

/**
 * Where a layer's graph gets the residual stream x from and where it leaves it. Only the first layer of a step copies
 * x in and only the last copies it out; between layers x stays in device memory (persistOnDevice/consumeFromDevice).
 */
public enum ResidualEdges {
    /** A lone layer: x in from the host, out to the host. */
    HOST_TO_HOST(true, true),
    /** The first of several layers. */
    HOST_TO_DEVICE(true, false),
    /** A middle layer. */
    DEVICE_TO_DEVICE(false, false),
    /** The last of several layers. */
    DEVICE_TO_HOST(false, true);

    private final boolean fromHost;
    private final boolean toHost;

    ResidualEdges(boolean fromHost, boolean toHost) {
        this.fromHost = fromHost;
        this.toHost = toHost;
    }

    public boolean fromHost() {
        return fromHost;
    }

    public boolean toHost() {
        return toHost;
    }

    /** The edges of layer l of a model with the given number of layers. */
    public static ResidualEdges of(int layer, int layers) {
        if (layers == 1) {
            return HOST_TO_HOST;
        }
        if (layer == 0) {
            return HOST_TO_DEVICE;
        }
        return layer == layers - 1 ? DEVICE_TO_HOST : DEVICE_TO_DEVICE;
    }
}
