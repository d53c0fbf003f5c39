package org.commvq.tornado.plan;

import org.commvq.cache.ModelShape;
import org.commvq.cache.commvq.CommVqCodebooks;

/** Which KV cache every layer of a device plan gets. */
public sealed interface DeviceCacheSpec {
    DeviceKvLayer allocate(int layer, String name, int capacity, ModelShape shape, DeviceMemoryBudget budget);

    /** Device bytes a token takes in every layer's cache, as the plan allocates them per token of capacity. */
    long bytesPerToken(ModelShape shape);

    /** Dense keys and values in fp32 or fp16. */
    record Dense(KvPrecision precision) implements DeviceCacheSpec {
        @Override
        public DeviceKvLayer allocate(int layer, String name, int capacity, ModelShape shape,
                                      DeviceMemoryBudget budget) {
            return DeviceKvLayer.allocate(precision, name, capacity, shape.kvDim(), budget);
        }

        @Override
        public long bytesPerToken(ModelShape shape) {
            return 2L * shape.layers() * shape.kvDim() * (precision == KvPrecision.F32 ? Float.BYTES : Short.BYTES);
        }
    }

    /** CommVQ codes with the codebooks made for the model. */
    record CommVq(CommVqCodebooks codebooks) implements DeviceCacheSpec {
        @Override
        public DeviceKvLayer allocate(int layer, String name, int capacity, ModelShape shape,
                                      DeviceMemoryBudget budget) {
            return DeviceCommVqLayer.allocate(codebooks, layer, name, capacity, shape, budget);
        }

        @Override
        public long bytesPerToken(ModelShape shape) {
            return DeviceCommVqLayer.bytesPerToken(codebooks, shape);
        }
    }
}
