package org.commvq.tornado.plan;

/** How a weight matrix is laid out on the device. */
public enum WeightFormat {
    /** float32: exact for every source type; 4 bytes per weight. */
    F32,
    /** IEEE half: exact for F16 sources; needs a device that compiles half floats (not PoCL). */
    F16,
    /** int8 quants plus a float scale per 32 weights: 4.5 bytes per 4 weights. */
    Q8_0
}
